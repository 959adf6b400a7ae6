/**
 * Identity augmentation, stage 1 (ISF's cubsfan `identity-augmentation`): an extractor reads the
 * identity's narrative passage by passage and writes self-contained facts in `<fact>` tags. The
 * facts are reviewed (accepted, edited, rejected) before identity-qa.ts asks questions about the
 * accepted ones, so this recipe's output is 'facts', not conversations.
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
	/** About how many facts to ask for per passage (a hint in the prompt, not a cap). */
	factsPerPassage: z.number().int().min(1).max(50).default(8),
	/** Narrative passages are at most this long. */
	passageChars: z.number().int().min(200).max(20_000).default(2000)
});
export type IdentityFactsParams = z.infer<typeof IdentityFactsParamsSchema>;

export interface FactsInput {
	passageIndex: number;
	passage: string;
}

/** The extractor's system prompt starts with this; rehearse() recognises the request by it. */
const EXTRACTOR_OPENING = 'You extract facts about';
const PASSAGE_OPEN = '<passage>';
const PASSAGE_CLOSE = '</passage>';

function extractorSystem(name: string, hint: number): string {
	const who = name || 'the identity';
	return [
		`${EXTRACTOR_OPENING} ${who} from a passage of ${who}'s own narrative.`,
		`Write every factual statement the passage makes about ${who}: experiences, beliefs, feelings, habits, relationships, self-descriptions. About ${hint} facts, more if the passage has them, fewer if it does not.`,
		`Each fact must be self-contained: it names ${who} instead of "I", "she" or "they", states one claim, and makes sense without the passage.`,
		`Bad: <fact>She loved it there.</fact>`,
		`Good: <fact>${who} loved growing up on the island where ${who}'s mother kept the lighthouse.</fact>`,
		'Put each fact in its own <fact></fact> tags. Write nothing else.'
	].join('\n');
}

export function extractorRequest(doc: IdentityDocument, input: FactsInput, params: IdentityFactsParams, sampling: ChatRequest['sampling']): ChatRequest {
	return {
		messages: [
			{ role: 'system', content: extractorSystem(doc.name.trim(), params.factsPerPassage) },
			{ role: 'user', content: `${PASSAGE_OPEN}\n${input.passage}\n${PASSAGE_CLOSE}` }
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

const VERSION = 1;

export const identityFactsRecipe: Recipe<IdentityFactsParams, FactsInput> = {
	id: 'identity-facts',
	label: 'Identity facts',
	description: "Extracts self-contained facts from an identity's narrative, for review before questions are asked about them.",
	output: 'facts',
	version: VERSION,
	params: IdentityFactsParamsSchema,
	sources: (params) => [{ kind: 'identity', id: params.identityId }],
	prepare(params, sources) {
		const doc = documentOf(sources, params.identityId);
		const inputs = passagesOf(doc.narrative, params.passageChars).map((passage, passageIndex) => ({
			id: `passage-${passageIndex}`,
			input: { passageIndex, passage }
		}));
		return {
			inputs,
			documents: { [`identity:${doc.name}`]: identityDocumentText(doc) },
			// The extractor reads the document through its passages (the inputs) and its name (in the
			// definition): an edit elsewhere in it (the voice, the system prompt) re-asks no passage.
			sharedDocuments: [],
			definition: { recipe: 'identity-facts', version: VERSION, factsPerPassage: params.factsPerPassage, passageChars: params.passageChars, system: extractorSystem(doc.name.trim(), params.factsPerPassage) }
		};
	},
	task(params, sources, settings) {
		const doc = documentOf(sources, params.identityId);
		return async function* (input, context) {
			const response = yield* ask(extractorRequest(doc, input, params, settings.sampling));
			const { facts, duplicates } = parseFacts(response.content);
			if (!facts.length) throw new RetryableAnswerError('The extractor wrote no facts in <fact> tags.', 'no-facts');
			for (const duplicate of duplicates) context.note({ level: 'info', kind: 'duplicate-fact', message: `Dropped a repeated fact: ${duplicate}`, data: { fact: duplicate } });
			return facts.map(
				(fact): DraftSample => ({
					messages: [{ role: 'assistant', content: fact }],
					tags: ['fact'],
					meta: { recipe: 'identity-facts', fact, passageIndex: input.passageIndex }
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
		return `Passage ${input.passageIndex + 1}: ${start}${input.passage.length > 40 ? '…' : ''}`;
	},
	rehearse(request, random) {
		const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
		const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
		const name = system.startsWith(EXTRACTOR_OPENING) ? (system.slice(EXTRACTOR_OPENING.length).split(' from a passage')[0] ?? '').trim() : 'The identity';
		const passage = user.includes(PASSAGE_OPEN) ? user.slice(user.indexOf(PASSAGE_OPEN) + PASSAGE_OPEN.length, user.lastIndexOf(PASSAGE_CLOSE)) : user;
		const sentences = passage
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
