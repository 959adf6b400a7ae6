/**
 * The optional judge step (SPEC §8.3 "Judge filter"): after any recipe's task has produced the
 * samples of a record, one rubric prompt per sample asks a model for a rationale and a score.
 * Samples below the threshold are marked (`judge.passed = false`), never deleted: the review
 * queue shows the mark and the user decides.
 *
 * The judge wraps a task (`withJudge`) instead of being a recipe of its own, so every recipe gets
 * it unchanged and the verdicts travel with the samples and their provenance. All samples of a
 * record are judged in one parallel yield. An answer without a readable score is asked again, for
 * the unreadable ones only, `retries` times (new yields: the cache keeps each answer apart); after
 * that the sample is kept with `judge.error` set. A judge request that fails for good does the same
 * — a broken judge never costs the samples.
 */
import Mustache from 'mustache';
import { z } from 'zod';
import type { ChatMessage, ChatRequest, ChatResponse, Sampling } from '../contracts/engine';
import { chunkVariables } from '../compiler/compile';
import { askAll, samplesOf, type Task, type TaskContext } from '../runtime/task';
import { extractTags } from '../runtime/xml-tags';
import { answerWithoutThinking } from './identity-document';
import type { DraftSample, JudgeVerdict } from './recipe';

/** The system message of every judge request; also how `isJudgeRequest` recognises one. */
export const JUDGE_SYSTEM_PROMPT =
	'You are a careful, impartial reviewer of chat fine-tuning data. You judge one sample at a time against the criteria you are given, and you answer exactly in the format asked for.';

export const JUDGE_RUBRIC_VARIABLES = ['conversation', 'criteria', 'scale_max', 'scale_mid'] as const;

export const DEFAULT_JUDGE_CRITERIA = `- The assistant's reply answers the user's message directly and completely.
- It is accurate: it makes no claim that the conversation or its system prompt does not support.
- It stays in the intended voice and character throughout.
- It reads naturally, is concise, and has no formatting debris (stray JSON, markup, cut-off sentences).`;

/**
 * Examples at the bottom, middle and top of the scale, about made-up samples and said to be
 * format only: a single example (it scored 3) was copied by small judges for every sample.
 */
export const DEFAULT_JUDGE_RUBRIC = `Review this sample from a chat fine-tuning dataset.

<conversation>
{{conversation}}
</conversation>

Criteria:
{{criteria}}

Rate how well the last assistant reply meets the criteria, on a scale from 1 (fails them) to {{scale_max}} (meets them fully). Use the whole scale: score this sample on its own merits.
First explain your reasoning in one or two sentences inside <rationale></rationale>. Then give the score as one whole number inside <score></score>. Write nothing after the score.

How answers about three OTHER samples looked (the format only; their scores say nothing about this sample):
- A reply that ignores the question and invents facts:
<rationale>The reply talks about something else and claims things the conversation does not support.</rationale>
<score>1</score>
- A reply that answers but adds an unsupported detail:
<rationale>The reply answers the question in voice, but adds a date the system prompt never gives.</rationale>
<score>{{scale_mid}}</score>
- A reply that meets every criterion:
<rationale>The reply answers directly, stays in voice and claims only what the conversation supports.</rationale>
<score>{{scale_max}}</score>`;

/** The judge's own sampling unless the run says otherwise: deterministic and short (a rationale and a score). */
export const DEFAULT_JUDGE_SAMPLING = { temperature: 0, max_tokens: 256 } as const;

/** Overrides of the run's sampling for the judge (e.g. temperature 0, a small max_tokens). */
export const JudgeSamplingSchema = z.object({
	temperature: z.number().min(0).max(2).optional(),
	top_p: z.number().min(0).max(1).optional(),
	max_tokens: z.number().int().min(1).optional(),
	seed: z.number().int().optional(),
	stop: z.array(z.string()).optional()
});
export type JudgeSampling = z.infer<typeof JudgeSamplingSchema>;

/** Why a rubric cannot be used, or null. */
export function checkJudgeRubric(rubric: string): string | null {
	const { names, error } = chunkVariables(rubric);
	if (error !== undefined) return `rubric: ${error}`;
	const known = new Set<string>(JUDGE_RUBRIC_VARIABLES);
	const unknown = names.filter((name) => !known.has(name));
	if (unknown.length) return `rubric: unknown variable ${unknown.map((name) => `{{${name}}}`).join(', ')} (known: ${JUDGE_RUBRIC_VARIABLES.join(', ')})`;
	if (!names.includes('conversation')) return 'rubric: it must show the sample with {{conversation}}';
	return null;
}

export const JudgeSettingsSchema = z
	.object({
		enabled: z.boolean().default(false),
		/** Mustache: {{conversation}}, {{criteria}}, {{scale_max}}. */
		rubric: z.string().default(DEFAULT_JUDGE_RUBRIC),
		criteria: z.string().default(DEFAULT_JUDGE_CRITERIA),
		/** Scores at or above this pass; below it the sample is marked. */
		threshold: z.number().min(1).default(3),
		/** The top of the 1–N scale. */
		scaleMax: z.number().int().min(2).max(100).default(5),
		/** Re-asks for answers without a readable score. */
		retries: z.number().int().min(0).max(5).default(1),
		sampling: JudgeSamplingSchema.default({ ...DEFAULT_JUDGE_SAMPLING })
	})
	.superRefine((settings, ctx) => {
		const problem = checkJudgeRubric(settings.rubric);
		if (problem) ctx.addIssue({ code: 'custom', path: ['rubric'], message: problem });
		if (settings.threshold > settings.scaleMax) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `the threshold (${settings.threshold}) is above the top of the scale (${settings.scaleMax})` });
	});
export type JudgeSettings = z.infer<typeof JudgeSettingsSchema>;

const ROLE_LABELS: Record<ChatMessage['role'], string> = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' };

/** The sample as the judge reads it: "Role: text" blocks. */
export function judgeConversation(messages: readonly ChatMessage[]): string {
	return messages.map((message) => `${ROLE_LABELS[message.role] ?? message.role}: ${message.content}`).join('\n\n');
}

export function judgeSampling(settings: JudgeSettings, sampling: Sampling): Sampling {
	const merged: Sampling = { ...sampling };
	for (const [key, value] of Object.entries(settings.sampling ?? {})) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
	return merged;
}

export function judgeRequest(sample: DraftSample, settings: JudgeSettings, sampling: Sampling): ChatRequest {
	const prompt = Mustache.render(
		settings.rubric,
		{ conversation: judgeConversation(sample.messages), criteria: settings.criteria.trim(), scale_max: settings.scaleMax, scale_mid: Math.ceil((1 + settings.scaleMax) / 2) },
		undefined,
		{ escape: (value: unknown) => String(value) }
	);
	return {
		messages: [
			{ role: 'system', content: JUDGE_SYSTEM_PROMPT },
			{ role: 'user', content: prompt }
		],
		sampling
	};
}

export function isJudgeRequest(request: Pick<ChatRequest, 'messages'>): boolean {
	return request.messages[0]?.role === 'system' && request.messages[0].content === JUDGE_SYSTEM_PROMPT;
}

export type JudgeAnswer = { ok: true; score: number; rationale: string } | { ok: false; reason: string };

const MAX_RATIONALE = 4000;

/** "Score: 4", "**Score:** 4", "Final score - 4", "Rating: 4/5", "score of 4 out of 5". */
const LOOSE_SCORE = /\b(?:score|rating)\b[*_\s]*(?:[:=\-\u2013\u2014]|\bis\b|\bof\b)[*_\s]*(\d+(?:\.\d+)?(?:\s*(?:\/|out of)\s*\d+(?:\.\d+)?)?)/gi;

/** The last "Score: N" of an answer (the rubric asks for the score last) and the line it is on. */
function looseScore(answer: string): { text: string; line: string } | undefined {
	let last: RegExpExecArray | undefined;
	for (let match = LOOSE_SCORE.exec(answer); match; match = LOOSE_SCORE.exec(answer)) last = match;
	LOOSE_SCORE.lastIndex = 0;
	if (!last) return undefined;
	const lineStart = answer.lastIndexOf('\n', last.index) + 1;
	const lineEnd = answer.indexOf('\n', last.index);
	return { text: last[1], line: answer.slice(lineStart, lineEnd < 0 ? undefined : lineEnd) };
}

/**
 * The score and rationale of a judge answer. The score is the first `<score>` element's leading
 * number ("4", "4/5", "4 — good"), else the last "Score: 4" / "Rating: 4" line. A score given
 * out of another scale ("7/10" when the rubric's scale is 1–5) is rescaled to the rubric's
 * (3.5); a score outside 1..scaleMax is refused (the judge is asked again). The rationale is the
 * first `<rationale>` element, else the answer without its score.
 */
export function parseJudgeAnswer(content: string, scaleMax: number): JudgeAnswer {
	const answer = answerWithoutThinking(content);
	const tagged = extractTags(answer, 'score')[0];
	const loose = tagged === undefined ? looseScore(answer) : undefined;
	const text = tagged ?? loose?.text;
	if (text === undefined) return { ok: false, reason: 'the judge answer has no <score>' };
	const number = /^\s*(\d+(?:\.\d+)?)(?:\s*(?:\/|out of)\s*(\d+(?:\.\d+)?))?/i.exec(text);
	if (!number) return { ok: false, reason: `the judge's score "${text.slice(0, 40)}" is not a number` };
	let score = Number(number[1]);
	const outOf = number[2] === undefined ? scaleMax : Number(number[2]);
	if (outOf > 0 && outOf !== scaleMax && score <= outOf) score = Math.round((score / outOf) * scaleMax * 10) / 10;
	if (score < 1 || score > scaleMax) return { ok: false, reason: `the judge's score ${number[0].trim()} is outside 1–${scaleMax}` };
	const untagged = () => {
		let rest = answer.replace(/<score(?:\s[^<>]*)?>[\s\S]*?<\/score>/gi, '');
		if (loose) rest = rest.replace(loose.line, '');
		return rest.trim();
	};
	const rationale = (extractTags(answer, 'rationale')[0] ?? untagged()).slice(0, MAX_RATIONALE);
	return { ok: true, score, rationale };
}

/** A re-ask with the next sampling seed when one is set: a seeded endpoint would repeat the unreadable answer. */
function reseeded(request: ChatRequest, round: number): ChatRequest {
	const seed = request.sampling.seed;
	return round === 0 || seed === undefined ? request : { ...request, sampling: { ...request.sampling, seed: (seed + round) | 0 } };
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * `task` followed by the judge: every sample it returns comes back with `judge` set. Disabled
 * settings return `task` itself; an unusable rubric throws here, before any record runs.
 */
export function withJudge<Input>(task: Task<Input, DraftSample>, settings: JudgeSettings, sampling: Sampling): Task<Input, DraftSample> {
	if (!settings.enabled) return task;
	const problem = checkJudgeRubric(settings.rubric);
	if (problem) throw new Error(`Judge settings: ${problem}`);
	const requestSampling = judgeSampling(settings, sampling);
	const { threshold, scaleMax } = settings;
	return async function* judged(input: Input, context: TaskContext) {
		const samples = samplesOf(yield* task(input, context));
		if (!samples.length) return samples;
		const requests = samples.map((sample) => judgeRequest(sample, settings, requestSampling));
		const verdicts: JudgeVerdict[] = new Array(samples.length);
		const reasons: string[] = new Array(samples.length).fill('');
		let pending = samples.map((_, index) => index);
		for (let round = 0; round <= settings.retries && pending.length; round++) {
			let responses: ChatResponse[];
			try {
				responses = yield* askAll(pending.map((index) => reseeded(requests[index], round)));
			} catch (error) {
				if (context.signal.aborted) throw error;
				for (const index of pending) reasons[index] = `the judge request failed (${errorMessage(error)})`;
				break;
			}
			const unreadable: number[] = [];
			pending.forEach((index, k) => {
				const parsed = parseJudgeAnswer(responses[k].content, scaleMax);
				if (parsed.ok) verdicts[index] = { score: parsed.score, rationale: parsed.rationale, threshold, passed: parsed.score >= threshold };
				else {
					reasons[index] = parsed.reason;
					unreadable.push(index);
				}
			});
			if (unreadable.length) context.unusable('no readable score', unreadable.map((index) => pending.indexOf(index)));
			if (unreadable.length && round < settings.retries) {
				context.note({
					level: 'warn',
					kind: 'judge-retry',
					message: `Judge: ${unreadable.length} answer${unreadable.length === 1 ? '' : 's'} without a readable score (${reasons[unreadable[0]]}); asking again (${round + 1} of ${settings.retries})`,
					data: { samples: unreadable, attempt: round + 1, reason: reasons[unreadable[0]] }
				});
			}
			pending = unreadable;
		}
		for (const index of pending) {
			// Kept with the reason; `passed: false` because no judge passed it, `error` says there is no verdict.
			verdicts[index] = { score: 0, rationale: '', threshold, passed: false, error: reasons[index] };
			context.note({ level: 'warn', kind: 'judge-failed', message: `Judge: sample ${index + 1} kept without a verdict: ${reasons[index]}`, data: { sample: index, reason: reasons[index] } });
		}
		const judgedCount = verdicts.filter((verdict) => !verdict.error).length;
		const passed = verdicts.filter((verdict) => !verdict.error && verdict.passed).length;
		context.note({
			level: 'info',
			kind: 'judge-summary',
			message: `Judge: ${passed} of ${judgedCount} judged sample${judgedCount === 1 ? '' : 's'} scored ${threshold} or more (of ${scaleMax}); ${judgedCount - passed} marked below the threshold${pending.length ? `; ${pending.length} without a verdict` : ''}`,
			data: { judged: judgedCount, passed, below: judgedCount - passed, errors: pending.length }
		});
		return samples.map((sample, index) => ({ ...sample, judge: verdicts[index] }));
	};
}

/**
 * A canned judge answer for the rehearsal engine, in the format the rubric asks for. The score is
 * drawn from the scale the request names (1–5 when it names none) and says so: rehearsal
 * verdicts judge nothing.
 */
export function rehearseJudge(request: ChatRequest, random: () => number): string {
	const prompt = request.messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n');
	const top = Number(/from 1\b[^\n]*?\bto (\d+)/i.exec(prompt)?.[1] ?? 5);
	const scaleMax = Number.isInteger(top) && top >= 2 && top <= 100 ? top : 5;
	const score = 1 + Math.min(scaleMax - 1, Math.floor(random() * scaleMax));
	const reply = /Assistant: ([^\n]*)/.exec(prompt)?.[1]?.trim() ?? '';
	const excerpt = reply.length > 60 ? `${reply.slice(0, 59)}…` : reply;
	return `<rationale>Rehearsal verdict (no model was asked): the reply${excerpt ? ` "${excerpt}"` : ''} was not read; this score was drawn at random to exercise the judge step.</rationale>\n<score>${score}</score>`;
}
