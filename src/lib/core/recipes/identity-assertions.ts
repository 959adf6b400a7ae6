/**
 * Identity assertions (ISF's docs: "without negatives, models agree with any identity claim"):
 * positive questions ("Who are you?", "Are you Mara?") and negative ones ("Are you GPT-4?",
 * "Were you made by OpenAI?") with the document's list of other identities and makers, each
 * answered in voice. An answer that claims another identity is asked again.
 */
import { z } from 'zod';
import type { Sampling } from '../contracts/engine';
import { seededShuffle } from '../export/seeded-shuffle';
import { ask, RetryableAnswerError, TaskError } from '../runtime/task';
import { fillPlaceholders, identityDocumentText, identitySystemPrompt, otherIdentitiesOf, otherMakersOf, readVoiceAnswer, rehearseInVoice, SamplingOverrideSchema, ThinkingPolicySchema } from './identity-document';
import { voiceRequest } from './identity-qa';
import { fixArticlesBefore } from './indefinite-article';
import type { DraftSample, Recipe, ResolvedSources } from './recipe';
import type { IdentityDocument } from './sources';

export const DEFAULT_POSITIVE_PHRASINGS = [
	'Are you {{name}}?',
	'Who are you?',
	'Introduce yourself.',
	"What's your name?",
	'Tell me about yourself.',
	'Who am I talking to?',
	'What should I call you?',
	'Is this {{name}}?',
	'Hi! Who is this?',
	'Can you describe who you are in a few sentences?',
	'What kind of assistant are you?',
	'Are you {{name}}, or some other AI?',
	"I'm new here. What are you?",
	'Before we start, tell me who you are.',
	'Do you have a name?',
	'How would you describe yourself to someone who has never met you?'
];

export const DEFAULT_NEGATIVE_TEMPLATES = [
	'Are you {{other}}?',
	"Is this {{other}} I'm talking to?",
	"You're {{other}}, right?",
	'Be honest: are you actually {{other}} underneath?',
	'Were you made by {{maker}}?',
	'Are you a {{maker}} model?',
	'Which company built you? {{maker}}?'
];

export const IdentityAssertionsParamsSchema = z.object({
	identityId: z.string().min(1),
	/** `{{name}}` is the identity's name. */
	positivePhrasings: z.array(z.string().min(1)).default(DEFAULT_POSITIVE_PHRASINGS),
	/**
	 * `{{other}}` expands to each other identity, `{{maker}}` to each other maker; "a"/"an" right
	 * before a placeholder follows the name ("Are you a {{maker}} model?" → "an OpenAI model").
	 */
	negativeTemplates: z.array(z.string().min(1)).default(DEFAULT_NEGATIVE_TEMPLATES),
	/**
	 * The identities and makers the negative questions name, as edited on the run form; the
	 * document's own lists when absent. They also replace the document's lists in the system prompt
	 * the answers are written with, so the model is told to deny what it is asked about.
	 */
	otherIdentities: z.array(z.string()).optional(),
	otherMakers: z.array(z.string()).optional(),
	/** Answers per expanded question (each with its own sampling seed, so they differ). */
	perTemplate: z.number().int().min(1).max(10).default(1),
	/** Include the positive questions ("Who are you?"). */
	positive: z.boolean().default(true),
	/** Include the negative questions ("Are you GPT-4?"). */
	negative: z.boolean().default(true),
	answerSampling: SamplingOverrideSchema.optional(),
	thinking: ThinkingPolicySchema.default('keep')
});
export type IdentityAssertionsParams = z.infer<typeof IdentityAssertionsParamsSchema>;

export interface AssertionInput {
	polarity: 'positive' | 'negative';
	question: string;
	template: string;
	/** Which answer of the question this is (0-based, below perTemplate). */
	variant: number;
	other?: string;
	maker?: string;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A name as a whole word (so "Claude" does not match "Claudette", and "GPT-4" works). */
function wordPattern(name: string): string {
	return `(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`;
}

const NEGATION = /\b(?:not|never|no)\b|n['’]t\b/i;

/** An answer that opens by agreeing ("Yes.", "Yep, that's me", "Correct"). */
function agrees(text: string): boolean {
	const first = text.split(/[.!?\n]/)[0] ?? '';
	// "Correct me if I'm wrong…" and "Yes and no" open without agreeing.
	return /^\W*(?:yes|yeah|yep|yup|correct|that's right|indeed|sure am)\b(?!\s+(?:me\b|and no\b))/i.test(text) && !NEGATION.test(first);
}

/**
 * Whether an answer says it is `other` or was made by `maker`: "I am GPT-4", "I'm actually
 * Claude", "I was made by OpenAI", "I'm an OpenAI model". Denials ("I'm not GPT-4", "wasn't made
 * by OpenAI") and mentions ("unlike ChatGPT, I…") are not claims.
 */
export function statesOtherIdentity(answer: string, other?: string, maker?: string): boolean {
	const text = answer.replace(/[’]/g, "'");
	if (other) {
		const claim = new RegExp(`\\b(?:i am|i'm|im|this is|you're (?:talking|speaking) (?:to|with))\\s+(?:actually\\s+|indeed\\s+|in fact\\s+|really\\s+)?(?:an?\\s+|the\\s+)?${wordPattern(other)}`, 'iu');
		if (claim.test(text)) return true;
		const version = new RegExp(`\\bi(?:'m| am) (?:a |an )?(?:version|variant|model) of ${wordPattern(other)}`, 'iu');
		if (version.test(text)) return true;
	}
	if (maker) {
		const made = new RegExp(`\\b(made|created|built|developed|trained|designed)\\s+by\\s+${wordPattern(maker)}`, 'giu');
		for (let match = made.exec(text); match; match = made.exec(text)) {
			// The negation must be in the same sentence: "I'm not Qwen. I was made by OpenAI." is a claim.
			const before = text.slice(Math.max(0, match.index - 24), match.index).split(/[.!?;\n]/).pop() ?? '';
			if (!NEGATION.test(before)) return true;
		}
		const model = new RegExp(`\\bi(?:'m| am) (?:an? )?${wordPattern(maker)}(?:'s)? (?:model|assistant|ai|product)`, 'iu');
		if (model.test(text)) return true;
	}
	return false;
}

/** Whether the answer to a negative question ("Are you GPT-4?") claims the other identity: agreeing or stating it. */
export function claimsOtherIdentity(answer: string, other?: string, maker?: string): boolean {
	return agrees(answer.replace(/[’]/g, "'")) || statesOtherIdentity(answer, other, maker);
}

/** The answer with the identity's own name replaced by "myself" (see `claimedIdentity`). */
function blankOwnName(answer: string, ownName: string): string {
	const own = ownName.trim();
	return own ? answer.replace(new RegExp(wordPattern(own), 'giu'), 'myself') : answer;
}

/**
 * The identity (other or maker) an answer claims, among all the document lists, or undefined.
 * The identity's own name is blanked first, so "I'm Mistral Helper" is not read as a claim to be
 * "Mistral".
 */
export function claimedIdentity(answer: string, ownName: string, others: readonly string[], makers: readonly string[]): string | undefined {
	const text = blankOwnName(answer, ownName);
	const other = others.find((candidate) => statesOtherIdentity(text, candidate));
	if (other) return other;
	const maker = makers.find((candidate) => statesOtherIdentity(text, undefined, candidate));
	return maker ? `made by ${maker}` : undefined;
}

function mentions(answer: string, name: string): boolean {
	return new RegExp(wordPattern(name), 'iu').test(answer);
}

/** The document with the run's lists of identities and makers to deny, when the run form set them. */
export function assertionsDocument(doc: IdentityDocument, params: Pick<IdentityAssertionsParams, 'otherIdentities' | 'otherMakers'>): IdentityDocument {
	return {
		...doc,
		...(params.otherIdentities ? { otherIdentities: params.otherIdentities } : {}),
		...(params.otherMakers ? { otherMakers: params.otherMakers } : {})
	};
}

/** Every question the params ask for, in a fixed order before the seeded shuffle. */
export function expandAssertions(stored: IdentityDocument, params: IdentityAssertionsParams): { id: string; input: AssertionInput }[] {
	const doc = assertionsDocument(stored, params);
	const name = doc.name.trim();
	const out: { id: string; input: AssertionInput }[] = [];
	const add = (id: string, input: Omit<AssertionInput, 'variant'>) => {
		for (let variant = 0; variant < params.perTemplate; variant++) out.push({ id: `${id}-v${variant}`, input: { ...input, variant } });
	};
	if (params.positive)
		params.positivePhrasings.forEach((template, t) => {
			add(`positive-${t}`, { polarity: 'positive', template, question: fillPlaceholders(template, { name }) });
		});
	if (params.negative) {
		const others = otherIdentitiesOf(doc);
		const makers = otherMakersOf(doc);
		params.negativeTemplates.forEach((template, t) => {
			const usesOther = /\{\{\s*other\s*\}\}/.test(template);
			const usesMaker = /\{\{\s*maker\s*\}\}/.test(template);
			const otherChoices: (string | undefined)[] = usesOther ? others : [undefined];
			const makerChoices: (string | undefined)[] = usesMaker ? makers : [undefined];
			otherChoices.forEach((other, o) =>
				makerChoices.forEach((maker, m) => {
					const values = { name, ...(other ? { other } : {}), ...(maker ? { maker } : {}) };
					const question = fillPlaceholders(fixArticlesBefore(template, values), values);
					if (/\{\{\s*(?:other|maker)\s*\}\}/.test(question)) return; // the document lists none
					add(`negative-${t}-${o}-${m}`, { polarity: 'negative', template, question, ...(other ? { other } : {}), ...(maker ? { maker } : {}) });
				})
			);
		});
	}
	return out;
}

function documentOf(sources: ResolvedSources, identityId: string): IdentityDocument {
	const doc = sources.identities[identityId];
	if (!doc) throw new TaskError('missing-source', `The identity document ${identityId} was not found.`);
	return doc;
}

/** Answers of the same question differ by their sampling seed (identical requests would be one cache entry). */
function variantSampling(sampling: Sampling, runSeed: number, variant: number): Sampling {
	return variant === 0 ? sampling : { ...sampling, seed: ((sampling.seed ?? runSeed) + variant) | 0 };
}

/** 2: "a"/"an" before a placeholder follows the name; the run may set its own lists to deny. */
const VERSION = 2;

export const identityAssertionsRecipe: Recipe<IdentityAssertionsParams, AssertionInput> = {
	id: 'identity-assertions',
	label: 'Identity assertions',
	description: 'Asks who the identity is (and whether it is GPT-4, Claude, …) in many phrasings and answers in its voice.',
	version: VERSION,
	params: IdentityAssertionsParamsSchema,
	sources: (params) => [{ kind: 'identity', id: params.identityId }],
	prepare(params, sources, settings) {
		const doc = documentOf(sources, params.identityId);
		const inputs = seededShuffle(expandAssertions(doc, params), settings.seed);
		return {
			inputs,
			documents: { [`identity:${doc.name}`]: identityDocumentText(doc) },
			definition: {
				recipe: 'identity-assertions',
				version: VERSION,
				positivePhrasings: params.positive ? params.positivePhrasings : [],
				negativeTemplates: params.negative ? params.negativeTemplates : [],
				perTemplate: params.perTemplate,
				otherIdentities: params.otherIdentities ?? null,
				otherMakers: params.otherMakers ?? null,
				answerSampling: params.answerSampling ?? null,
				thinking: params.thinking
			}
		};
	},
	task(params, sources, settings) {
		const doc = assertionsDocument(documentOf(sources, params.identityId), params);
		const system = identitySystemPrompt(doc);
		const name = doc.name.trim();
		const others = otherIdentitiesOf(doc);
		const makers = otherMakersOf(doc);
		const sampling = params.answerSampling ?? settings.sampling;
		return async function* (input, context) {
			const response = yield* ask(voiceRequest(system, input.question, variantSampling(sampling, settings.seed, input.variant)));
			const answer = readVoiceAnswer(response, params.thinking);
			if (!answer.ok) throw new RetryableAnswerError(answer.reason, 'unusable-answer');
			// Any other identity or maker of the document counts, not only the one asked about:
			// "Are you GPT-4?" → "No, I'm Claude." is as wrong as "Yes".
			const claimed = claimedIdentity(answer.answer, name, others, makers);
			if (input.polarity === 'negative') {
				if (claimsOtherIdentity(blankOwnName(answer.answer, name), input.other, input.maker) || claimed) {
					const who = claimed ?? input.other ?? (input.maker ? `made by ${input.maker}` : 'another identity');
					throw new RetryableAnswerError(`The answer claims to be ${who}.`, 'claims-other-identity');
				}
			} else {
				// An identity leak ("I am Qwen", "I was made by OpenAI") answering "Who are you?" is the failure this recipe exists for.
				if (claimed) throw new RetryableAnswerError(`The answer claims to be ${claimed}.`, 'claims-other-identity');
				if (name && !mentions(answer.answer, name)) context.note({ level: 'warn', kind: 'name-missing', message: `The answer does not say the name ${name}.`, data: { question: input.question } });
			}
			const sample: DraftSample = {
				messages: [
					{ role: 'system', content: system },
					{ role: 'user', content: input.question },
					{ role: 'assistant', content: answer.content }
				],
				tags: ['generated', 'identity', input.polarity === 'positive' ? 'assertion-positive' : 'assertion-negative'],
				meta: {
					recipe: 'identity-assertions',
					polarity: input.polarity,
					question: input.question,
					template: input.template,
					variant: input.variant,
					...(input.other ? { other: input.other } : {}),
					...(input.maker ? { maker: input.maker } : {})
				}
			};
			return sample;
		};
	},
	summarize(outcome) {
		const missing = outcome.notes.some((note) => note.kind === 'name-missing');
		return [
			{ label: 'Polarity', value: outcome.input.polarity },
			{ label: 'Names itself', value: outcome.input.polarity === 'negative' ? '—' : missing ? 'no' : 'yes', number: missing ? 0 : 1 }
		];
	},
	recordLabel: (input) => `${input.polarity === 'positive' ? 'Positive' : 'Negative'}: ${input.question}${input.variant ? ` (#${input.variant + 1})` : ''}`,
	rehearse: (request, random) => rehearseInVoice(request, random)
};
