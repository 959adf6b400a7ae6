/**
 * Identity augmentation, stage 1 (ISF's cubsfan `identity-augmentation`): an extractor reads the
 * identity document field by field (name, maker, purpose, voice, values, calibration, what it is
 * not, then the narrative passage by passage) and writes self-contained facts in `<fact>` tags.
 * Each fact keeps the field it came from. The facts are reviewed (accepted, edited, rejected)
 * before identity-qa.ts asks questions about the accepted ones, so this recipe's output is
 * 'facts', not conversations.
 *
 * One request per field, not one for the whole document: a 0.5B–3B extractor keeps to a short
 * passage, the field it read is known without asking the model to label its facts, and the fact
 * count asked for follows the passage's length (a one-line maker asked for eight facts gets
 * seven invented ones).
 */
import { z } from 'zod';
import type { ChatRequest } from '../contracts/engine';
import { extractTagsDetailed } from '../runtime/xml-tags';
import { ask, RetryableAnswerError, TaskError } from '../runtime/task';
import { answerWithoutThinking, identityDocumentText, passagesOf } from './identity-document';
import type { DraftSample, Recipe, ResolvedSources } from './recipe';
import type { IdentityDocument } from './sources';

export const IdentityFactsParamsSchema = z.object({
	identityId: z.string().min(1),
	/** At most about this many facts per passage (fewer for a short one; a hint, not a cap). */
	factsPerPassage: z.number().int().min(1).max(50).default(8),
	/** Passages are at most this long. */
	passageChars: z.number().int().min(200).max(20_000).default(2000)
});
export type IdentityFactsParams = z.infer<typeof IdentityFactsParamsSchema>;

/** The document fields facts are extracted from, in the order they are asked. */
export const FACT_FIELDS = ['name', 'maker', 'purpose', 'voice', 'values', 'calibration', 'notThis', 'narrative'] as const;
export type FactField = (typeof FACT_FIELDS)[number];

/** How each field is named to the extractor and in the run view, and what it says about the identity. */
const FIELD_INFO: Record<FactField, { label: string; about: (who: string) => string }> = {
	name: { label: 'Name', about: (who) => `what ${who} is called and how it introduces itself` },
	maker: { label: 'Maker', about: (who) => `who made ${who}` },
	purpose: { label: 'Purpose', about: (who) => `what ${who} is for` },
	voice: { label: 'Voice', about: (who) => `how ${who} speaks and writes` },
	values: { label: 'Values', about: (who) => `what ${who} cares about` },
	calibration: { label: 'Calibration', about: (who) => `how sure ${who} is and how it says so` },
	notThis: { label: 'What it is not', about: (who) => `what ${who} is not; keep every "not"` },
	narrative: { label: 'Narrative', about: (who) => `${who}'s story` }
};

export function factFieldLabel(field: FactField): string {
	return FIELD_INFO[field].label;
}

export interface FactsInput {
	/** The document field the passage is from. */
	field: FactField;
	/** Position among all the run's passages. */
	passageIndex: number;
	passage: string;
}

/** The extractor's system prompt starts with this; rehearse() recognises the request by it. */
const EXTRACTOR_OPENING = 'You extract facts about';
const PASSAGE_OPEN = '<passage>';
const PASSAGE_CLOSE = '</passage>';

/** The text of a field as the extractor reads it; the name passage states the name in words. */
function fieldText(doc: IdentityDocument, field: FactField): string {
	const tidy = (text: string | undefined) => (text ?? '').replace(/\r\n?/g, '\n').trim();
	if (field === 'name') {
		const name = tidy(doc.name);
		return [name ? `My name is ${name}.` : '', tidy(doc.iAm)].filter(Boolean).join('\n');
	}
	return tidy(doc[field]);
}

/**
 * Every passage facts are extracted from: each non-empty field in FACT_FIELDS order, a field
 * longer than `maxChars` cut into passages as the narrative is (paragraphs, then sentences).
 * Record ids name the field and the passage's position in it ("maker-0", "narrative-2"), so an
 * edit of one field re-asks only that field's passages.
 */
export function factPassagesOf(doc: IdentityDocument, maxChars: number): { id: string; input: FactsInput }[] {
	const out: { id: string; input: FactsInput }[] = [];
	for (const field of FACT_FIELDS) {
		passagesOf(fieldText(doc, field), maxChars).forEach((passage, part) => {
			out.push({ id: `${field}-${part}`, input: { field, passageIndex: out.length, passage } });
		});
	}
	return out;
}

/** About one fact per sentence, at most `max`: a short field is not padded with invented facts. */
export function factHint(passage: string, max: number): number {
	const sentences = passage
		.split(/(?<=[.!?…])\s+|\n+/)
		.filter((piece) => /\p{L}{2}/u.test(piece) && !/^\s*#/.test(piece)).length;
	return Math.max(1, Math.min(max, sentences));
}

function extractorSystem(name: string): string {
	const who = name || 'the identity';
	return [
		`${EXTRACTOR_OPENING} ${who} from one field of ${who}'s identity document.`,
		`Write every factual statement the passage makes about ${who}: who made it, what it is for, how it speaks, what it values, what it is not, its experiences, beliefs, habits and relationships.`,
		`Each fact must be self-contained: it names ${who} instead of "I", "you", "she" or "they", states one claim, and makes sense without the passage.`,
		`Write only what the passage says; add nothing. Keep negations: "I am not a chatbot" gives <fact>${who} is not a chatbot.</fact>`,
		`Bad: <fact>She was built to help.</fact>`,
		`Good: <fact>${who} was built to help.</fact>`,
		'Put each fact in its own <fact></fact> tags. Write nothing else.'
	].join('\n');
}

export function extractorRequest(doc: IdentityDocument, input: FactsInput, params: IdentityFactsParams, sampling: ChatRequest['sampling']): ChatRequest {
	const who = doc.name.trim() || 'the identity';
	const info = FIELD_INFO[input.field];
	const hint = factHint(input.passage, params.factsPerPassage);
	return {
		messages: [
			{ role: 'system', content: extractorSystem(doc.name.trim()) },
			{
				role: 'user',
				content: `Field: ${info.label} (${info.about(who)})\n${PASSAGE_OPEN}\n${input.passage}\n${PASSAGE_CLOSE}\n\nWrite the facts this passage states (about ${hint}), each in its own <fact></fact> tags.`
			}
		],
		sampling
	};
}

/** Lower case, one space, no trailing punctuation: the key facts are deduplicated by. */
export function factKey(fact: string): string {
	return fact
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.replace(/[\s.!?;,:]+$/, '')
		.trim();
}

/** A fact as written: tags, list markers and extra spaces removed. */
function tidyFact(raw: string): string {
	return raw
		.replace(/<\/?[A-Za-z][\w-]*(?:\s[^<>]*)?\/?>/g, ' ')
		.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '')
		.replace(/\s+/g, ' ')
		.trim();
}

const OPEN_FACT = /<fact(?:\s[^<>]*)?>/gi;
const CLOSE_FACT = /<\/fact\s*>/i;

/**
 * Facts when the tags are unbalanced: each opening tag starts a fact that ends at its closing tag,
 * at the next opening tag (a forgotten `</fact>`), or at the end of the answer when what is left
 * ends like a sentence (otherwise the model ran out of tokens mid-fact and it is dropped).
 */
function flatFacts(answer: string): string[] {
	const segments = answer.split(OPEN_FACT).slice(1);
	const facts: string[] = [];
	segments.forEach((segment, index) => {
		const close = segment.search(CLOSE_FACT);
		if (close >= 0) facts.push(segment.slice(0, close));
		else if (index < segments.length - 1) facts.push(segment);
		else if (/[.!?)"”’]\s*$/.test(segment.trim())) facts.push(segment);
	});
	return facts;
}

export interface ParsedFacts {
	facts: string[];
	/** Facts dropped as repeats of an earlier one (case and spacing ignored). */
	duplicates: string[];
}

/**
 * The facts of an extractor answer. Thinking (`<think>`, `<thinking>`, `<reasoning>`, closed or
 * not) is set aside first (a model may mention `<fact>` while reasoning). Tolerates stray text, a missing closing tag, a nested fact (split into the
 * outer fact and the inner one) and repeats.
 */
export function parseFacts(content: string): ParsedFacts {
	const answer = answerWithoutThinking(content);
	const extraction = extractTagsDetailed(answer, 'fact');
	const raw: string[] = [];
	if (extraction.unclosed) raw.push(...flatFacts(answer));
	else
		for (const value of extraction.values) {
			if (!/<fact/i.test(value)) {
				raw.push(value);
				continue;
			}
			// A nested fact: the inner ones on their own, the outer text without them.
			const inner = extractTagsDetailed(value, 'fact').values;
			let outer = value;
			for (const fact of inner) outer = outer.replace(fact, ' ');
			raw.push(outer, ...inner);
		}
	const facts: string[] = [];
	const duplicates: string[] = [];
	const seen = new Set<string>();
	for (const candidate of raw) {
		const fact = tidyFact(candidate);
		if (fact.length < 3 || !/\p{L}/u.test(fact)) continue;
		const key = factKey(fact);
		if (seen.has(key)) duplicates.push(fact);
		else {
			seen.add(key);
			facts.push(fact);
		}
	}
	return { facts, duplicates };
}

function documentOf(sources: ResolvedSources, identityId: string): IdentityDocument {
	const doc = sources.identities[identityId];
	if (!doc) throw new TaskError('missing-source', `The identity document ${identityId} was not found.`);
	return doc;
}

/** 2: every field of the document, not only the narrative; the fact count follows the passage. */
const VERSION = 2;

export const identityFactsRecipe: Recipe<IdentityFactsParams, FactsInput> = {
	id: 'identity-facts',
	label: 'Identity facts',
	description: 'Extracts self-contained facts from every field of an identity document (name, maker, purpose, voice, values, what it is not, narrative), for review before questions are asked about them.',
	output: 'facts',
	version: VERSION,
	params: IdentityFactsParamsSchema,
	sources: (params) => [{ kind: 'identity', id: params.identityId }],
	prepare(params, sources) {
		const doc = documentOf(sources, params.identityId);
		const inputs = factPassagesOf(doc, params.passageChars);
		return {
			inputs,
			documents: { [`identity:${doc.name}`]: identityDocumentText(doc) },
			// The extractor reads the document through its passages (the inputs) and its name (in the
			// definition): an edit elsewhere in it (the lists of identities to deny) re-asks no passage.
			sharedDocuments: [],
			definition: { recipe: 'identity-facts', version: VERSION, factsPerPassage: params.factsPerPassage, passageChars: params.passageChars, system: extractorSystem(doc.name.trim()) }
		};
	},
	task(params, sources, settings) {
		const doc = documentOf(sources, params.identityId);
		return async function* (input, context) {
			const response = yield* ask(extractorRequest(doc, input, params, settings.sampling));
			const { facts, duplicates } = parseFacts(response.content);
			if (!facts.length) throw new RetryableAnswerError(`The extractor wrote no facts in <fact> tags (${factFieldLabel(input.field)}).`, 'no-facts');
			for (const duplicate of duplicates) context.note({ level: 'info', kind: 'duplicate-fact', message: `Dropped a repeated fact: ${duplicate}`, data: { fact: duplicate } });
			return facts.map(
				(fact): DraftSample => ({
					messages: [{ role: 'assistant', content: fact }],
					tags: ['fact', `field:${input.field}`],
					meta: { recipe: 'identity-facts', fact, field: input.field, passageIndex: input.passageIndex }
				})
			);
		};
	},
	summarize(outcome) {
		const duplicates = outcome.notes.filter((note) => note.kind === 'duplicate-fact').length;
		return [
			{ label: 'Facts', value: String(outcome.samples.length), number: outcome.samples.length },
			{ label: 'Repeats dropped', value: String(duplicates), number: duplicates }
		];
	},
	recordLabel: (input) => {
		const start = input.passage.replace(/^#+\s*/, '').replace(/\s+/g, ' ').slice(0, 40);
		// Runs stored before fields were read (version 1) have narrative passages only.
		const field = input.field ?? 'narrative';
		return `${factFieldLabel(field)} · passage ${input.passageIndex + 1}: ${start}${input.passage.length > 40 ? '…' : ''}`;
	},
	rehearse(request, random) {
		const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
		const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
		const name = system.startsWith(EXTRACTOR_OPENING) ? (system.slice(EXTRACTOR_OPENING.length).split(' from one field')[0] ?? '').trim() : 'The identity';
		const passage = user.includes(PASSAGE_OPEN) ? user.slice(user.indexOf(PASSAGE_OPEN) + PASSAGE_OPEN.length, user.lastIndexOf(PASSAGE_CLOSE)) : user;
		const sentences = passage
			.replace(/\bMy name is\b/g, `${name}'s name is`)
			.split('\n')
			.filter((line) => !/^\s*#/.test(line))
			.join(' ')
			.split(/(?<=[.!?])\s+/)
			.map((sentence) => sentence.trim())
			.filter((sentence) => /\p{L}{3}/u.test(sentence));
		if (!sentences.length) return `<fact>${name} has a story worth telling.</fact>`;
		const start = Math.floor(random() * sentences.length);
		const chosen = Array.from({ length: Math.min(3, sentences.length) }, (_, i) => sentences[(start + i) % sentences.length]);
		const facts = chosen.map((sentence) => {
			const third = sentence.replace(/\bI am\b/g, `${name} is`).replace(/\bI'm\b/g, `${name} is`).replace(/\b(I|me)\b/g, name).replace(/\bmy\b/gi, `${name}'s`);
			return `<fact>${third}</fact>`;
		});
		return facts.join('\n');
	}
};
