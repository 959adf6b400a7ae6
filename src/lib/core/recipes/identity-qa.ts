/**
 * Identity augmentation, stage 2: for each accepted fact (from an identity-facts run), a question
 * writer asks for several questions in different phrasings (ISF's docs: "ask the same fact from
 * many angles"; the cubsfan example asked one), then the identity model answers each in voice
 * with the identity system prompt, all questions of a fact in parallel.
 */
import { z } from 'zod';
import type { ChatRequest, ChatResponse, Sampling } from '../contracts/engine';
import { ask, askAll, TaskError, type TaskReply, type TaskYield } from '../runtime/task';
import { extractTags } from '../runtime/xml-tags';
import { extractRecords } from '../compiler/extract';
import { answerWithoutThinking, identityDocumentText, identitySystemPrompt, readVoiceAnswer, rehearseInVoice, SamplingOverrideSchema, ThinkingPolicySchema } from './identity-document';
import type { DraftSample, Recipe, RecordStat, ResolvedSources } from './recipe';
import type { IdentityDocument } from './sources';

export const IdentityQaParamsSchema = z.object({
	identityId: z.string().min(1),
	/** The identity-facts run whose accepted facts are asked about. */
	factsRunId: z.object({ kind: z.literal('facts'), id: z.string().min(1) }),
	questionsPerFact: z.number().int().min(1).max(10).default(3),
	/** Sampling of the in-voice answers; the run's sampling otherwise (the question writer always uses the run's). */
	answerSampling: SamplingOverrideSchema.optional(),
	thinking: ThinkingPolicySchema.default('keep')
});
export type IdentityQaParams = z.infer<typeof IdentityQaParamsSchema>;

export interface QaInput {
	factIndex: number;
	fact: string;
}

const QUESTION_WRITER_OPENING = 'You write questions that people ask';
const FACT_OPEN = '<fact>';
const FACT_CLOSE = '</fact>';
const QUESTIONS_ASK = 'different questions';

function writerSystem(name: string): string {
	const who = name || 'an assistant';
	return [
		`${QUESTION_WRITER_OPENING} ${who}, an AI assistant, in ordinary conversations.`,
		`Given one fact about ${who}, write questions a real user might ask that would lead ${who} to talk about it.`,
		'Vary them: a direct question, a casual or playful one, an indirect one that only touches the topic. Never state the fact in the question.',
		'Example: fact "Mara loves rainy days" → <question>What kind of weather do you enjoy most?</question>',
		'Put each question in its own <question></question> tags. Write nothing else.'
	].join('\n');
}

export function questionRequest(doc: IdentityDocument, input: QaInput, count: number, sampling: Sampling): ChatRequest {
	const who = doc.name.trim() || 'the assistant';
	return {
		messages: [
			{ role: 'system', content: writerSystem(doc.name.trim()) },
			{ role: 'user', content: `Fact about ${who}:\n${FACT_OPEN}${input.fact}${FACT_CLOSE}\n\nWrite ${count} ${QUESTIONS_ASK}, each in <question></question> tags.` }
		],
		sampling
	};
}

/** The follow-up when the first answer had no questions: the same conversation plus a reminder. */
function reminderRequest(first: ChatRequest, answer: string): ChatRequest {
	return {
		...first,
		messages: [
			...first.messages,
			{ role: 'assistant', content: answer },
			{ role: 'user', content: 'That answer had no questions in <question></question> tags. Write only the questions, each in its own tags.' }
		]
	};
}

/** The questions of an answer: `<question>` tags, else a JSON list of strings (or of {question}). */
export function parseQuestions(content: string): string[] {
	const answer = answerWithoutThinking(content);
	const tagged = extractTags(answer, 'question');
	const raw: string[] = [...tagged];
	if (!raw.length) {
		const bracket = answer.indexOf('[');
		const end = answer.lastIndexOf(']');
		if (bracket >= 0 && end > bracket) {
			try {
				const list: unknown = JSON.parse(answer.slice(bracket, end + 1));
				if (Array.isArray(list))
					for (const item of list) {
						if (typeof item === 'string') raw.push(item);
						else if (item && typeof item === 'object' && typeof (item as Record<string, unknown>).question === 'string') raw.push((item as Record<string, string>).question);
					}
			} catch {
				// Not a JSON list: fall through to records below.
			}
		}
		if (!raw.length) for (const { record } of extractRecords(answer).records) if (typeof record.question === 'string') raw.push(record.question);
	}
	return raw
		.map((question) =>
			question
				.replace(/<\/?[A-Za-z][\w-]*(?:\s[^<>]*)?\/?>/g, ' ')
				.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '')
				.replace(/^["“]|["”]$/g, '')
				.replace(/\s+/g, ' ')
				.trim()
		)
		.filter((question) => /\p{L}/u.test(question));
}

function wordsOf(text: string): string[] {
	return text
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s']/gu, ' ')
		.split(/\s+/)
		.filter(Boolean);
}

/** Same words (case, punctuation ignored), or word sets overlapping by 80% or more. */
export function nearDuplicate(a: string, b: string): boolean {
	const wa = wordsOf(a);
	const wb = wordsOf(b);
	if (wa.join(' ') === wb.join(' ')) return true;
	const sa = new Set(wa);
	const sb = new Set(wb);
	if (sa.size < 3 || sb.size < 3) return false;
	let shared = 0;
	for (const word of sa) if (sb.has(word)) shared++;
	return shared / (sa.size + sb.size - shared) >= 0.8;
}

export interface DedupedQuestions {
	kept: string[];
	dropped: { question: string; duplicateOf: string }[];
}

export function dedupeQuestions(questions: readonly string[], limit: number): DedupedQuestions {
	const kept: string[] = [];
	const dropped: DedupedQuestions['dropped'] = [];
	for (const question of questions) {
		const match = kept.find((earlier) => nearDuplicate(earlier, question));
		if (match) dropped.push({ question, duplicateOf: match });
		else if (kept.length < limit) kept.push(question);
	}
	return { kept, dropped };
}

export function voiceRequest(systemPrompt: string, question: string, sampling: Sampling): ChatRequest {
	return {
		messages: [...(systemPrompt ? [{ role: 'system' as const, content: systemPrompt }] : []), { role: 'user', content: question }],
		sampling
	};
}

/**
 * Answers every request in parallel; when one fails for good, asks the others one by one so a
 * single failed question does not cost the fact's other answers. A failed request gives its error.
 * (The fallback asks the answered ones again too: a failed parallel yield does not say which
 * request failed. It only happens after a request failed for good, which is rare.)
 */
export async function* answerEach(requests: ChatRequest[]): AsyncGenerator<TaskYield, (ChatResponse | Error)[], TaskReply> {
	try {
		return yield* askAll(requests);
	} catch {
		const out: (ChatResponse | Error)[] = [];
		for (const request of requests) {
			try {
				out.push(yield* ask(request));
			} catch (error) {
				out.push(error instanceof Error ? error : new Error(String(error)));
			}
		}
		return out;
	}
}

function documentOf(sources: ResolvedSources, identityId: string): IdentityDocument {
	const doc = sources.identities[identityId];
	if (!doc) throw new TaskError('missing-source', `The identity document ${identityId} was not found.`);
	return doc;
}

const VERSION = 1;

export const identityQaRecipe: Recipe<IdentityQaParams, QaInput> = {
	id: 'identity-qa',
	label: 'Identity questions and answers',
	description: 'Asks several differently phrased questions about each accepted fact and answers them in the identity’s voice.',
	version: VERSION,
	params: IdentityQaParamsSchema,
	sources: (params) => [
		{ kind: 'identity', id: params.identityId },
		{ kind: 'facts', id: params.factsRunId.id }
	],
	prepare(params, sources) {
		const doc = documentOf(sources, params.identityId);
		const facts = sources.facts[params.factsRunId.id] ?? [];
		return {
			inputs: facts.map((fact, factIndex) => ({ id: `fact-${factIndex}`, input: { factIndex, fact } })),
			documents: { [`identity:${doc.name}`]: identityDocumentText(doc), [`facts:${params.factsRunId.id}`]: facts.join('\n') },
			// Every answer is asked with the identity's system prompt; the facts are the inputs.
			sharedDocuments: [`identity:${doc.name}`],
			definition: {
				recipe: 'identity-qa',
				version: VERSION,
				questionsPerFact: params.questionsPerFact,
				answerSampling: params.answerSampling ?? null,
				thinking: params.thinking,
				writer: writerSystem(doc.name.trim())
			}
		};
	},
	task(params, sources, settings) {
		const doc = documentOf(sources, params.identityId);
		const system = identitySystemPrompt(doc);
		const answerSampling = params.answerSampling ?? settings.sampling;
		return async function* (input, context) {
			const empty = (why: string) => {
				context.note({ level: 'warn', kind: 'fact-empty', message: `Fact ${input.factIndex + 1} produced nothing: ${why}`, data: { fact: input.fact } });
				return [];
			};
			// Stage A: the questions, with one reminder when the answer had none.
			const first = questionRequest(doc, input, params.questionsPerFact, settings.sampling);
			let questions: string[] = [];
			try {
				const response = yield* ask(first);
				questions = parseQuestions(response.content);
				if (!questions.length) {
					context.unusable('no questions in the answer');
					context.note({ level: 'info', kind: 'questions-retry', message: 'No questions in the answer; asked again with a reminder.' });
					questions = parseQuestions((yield* ask(reminderRequest(first, response.content))).content);
				}
			} catch (error) {
				return empty(`the question writer failed (${error instanceof Error ? error.message : String(error)}).`);
			}
			const { kept, dropped } = dedupeQuestions(questions, params.questionsPerFact);
			for (const { question, duplicateOf } of dropped)
				context.note({ level: 'info', kind: 'duplicate-question', message: `Dropped a near-duplicate question: ${question}`, data: { question, duplicateOf } });
			context.note({ level: 'info', kind: 'questions', message: `${kept.length} questions for fact ${input.factIndex + 1}.`, data: { asked: kept.length, duplicates: dropped.length } });
			if (!kept.length) return empty('no usable questions.');
			// Stage B: the answers in voice, in parallel.
			const responses = yield* answerEach(kept.map((question) => voiceRequest(system, question, answerSampling)));
			const samples: DraftSample[] = [];
			responses.forEach((response, index) => {
				const question = kept[index];
				const answer = response instanceof Error ? { ok: false as const, reason: response.message } : readVoiceAnswer(response, params.thinking);
				if (!answer.ok) {
					context.note({ level: 'warn', kind: 'answer-failed', message: `No answer kept for "${question}": ${answer.reason}`, data: { question } });
					return;
				}
				samples.push({
					messages: [
						{ role: 'system', content: system },
						{ role: 'user', content: question },
						{ role: 'assistant', content: answer.content }
					],
					tags: ['generated', 'identity'],
					meta: { recipe: 'identity-qa', fact: input.fact, question, factIndex: input.factIndex }
				});
			});
			if (!samples.length) return empty('every answer failed.');
			return samples;
		};
	},
	summarize(outcome): RecordStat[] {
		const asked = outcome.notes.filter((note) => note.kind === 'questions').reduce((sum, note) => sum + Number(note.data?.asked ?? 0), 0);
		const duplicates = outcome.notes.filter((note) => note.kind === 'duplicate-question').length;
		const nothing = outcome.notes.some((note) => note.kind === 'fact-empty') || outcome.samples.length === 0;
		return [
			{ label: 'Questions asked', value: String(asked), number: asked },
			{ label: 'Answers kept', value: String(outcome.samples.length), number: outcome.samples.length },
			{ label: 'Duplicates dropped', value: String(duplicates), number: duplicates },
			{ label: 'Produced nothing', value: nothing ? 'yes' : 'no', number: nothing ? 1 : 0 }
		];
	},
	// A fact's questions and answers depend on its text, not its position: one that moved (an
	// earlier fact was rejected) keeps its samples and their reviews.
	recordKey: (input) => input.fact,
	recordLabel: (input) => `Fact ${input.factIndex + 1}: ${input.fact.length > 50 ? `${input.fact.slice(0, 50)}…` : input.fact}`,
	rehearse(request, random) {
		const system = request.messages[0]?.role === 'system' ? request.messages[0].content : '';
		if (system.startsWith(QUESTION_WRITER_OPENING)) return rehearseQuestions(request, random);
		return rehearseInVoice(request, random);
	}
};

/** Canned questions about the fact in the request, as many as it asks for, each phrased differently. */
function rehearseQuestions(request: ChatRequest, random: () => number): string {
	const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
	const fact = user.includes(FACT_OPEN) ? user.slice(user.indexOf(FACT_OPEN) + FACT_OPEN.length, user.indexOf(FACT_CLOSE)) : user;
	const count = Number(/Write (\d+) /.exec(user)?.[1] ?? '3');
	const words = wordsOf(fact).filter((word) => word.length > 3);
	const topic = words.length ? words[Math.floor(random() * words.length)] : 'that';
	const forms = [
		`What can you tell me about ${topic}?`,
		`Quick one: how do you feel about ${topic}?`,
		`Has ${topic} ever mattered to you?`,
		`If we talked about ${topic} for a while, where would you start?`,
		`Why does ${topic} come up when people ask about you?`,
		`Do you have a story involving ${topic}?`,
		`Be honest, is ${topic} a big deal for you?`,
		`How did ${topic} shape who you are?`,
		`What would surprise me about you and ${topic}?`,
		`Could you describe ${topic} in your own words?`
	];
	return forms
		.slice(0, Math.max(1, Math.min(count, forms.length)))
		.map((form) => `<question>${form}</question>`)
		.join('\n');
}
