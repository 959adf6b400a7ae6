import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import { TestEngine, testHttpError, testReply } from '../../engines/test-engine';
import { InMemoryResponseCache } from '../runtime/cache-key';
import { dispatch } from '../runtime/dispatcher';
import { ask, seededRandom, type Task, type TaskNote } from '../runtime/task';
import {
	DEFAULT_JUDGE_RUBRIC,
	JUDGE_SYSTEM_PROMPT,
	JudgeSettingsSchema,
	isJudgeRequest,
	judgeConversation,
	judgeRequest,
	parseJudgeAnswer,
	rehearseJudge,
	withJudge,
	type JudgeSettings
} from './judge';
import type { DraftSample } from './recipe';

interface Question {
	question: string;
}

/** A small inner recipe: one in-voice answer per question, plus a fixed second sample. */
const answerTask: Task<Question, DraftSample> = async function* (input) {
	const response = yield* ask({ messages: [{ role: 'system', content: 'You are Mara, a lighthouse keeper.' }, { role: 'user', content: input.question }], sampling: { max_tokens: 200 } });
	return [
		{ messages: [{ role: 'system', content: 'You are Mara, a lighthouse keeper.' }, { role: 'user', content: input.question }, { role: 'assistant', content: response.content }], tags: ['generated'], meta: { kind: 'answer' } },
		{ messages: [{ role: 'user', content: 'Who are you?' }, { role: 'assistant', content: 'I keep the light on Skellig Point.' }], tags: ['generated'], meta: { kind: 'identity' } }
	];
};

const judgeSampling = { temperature: 0.7, max_tokens: 300 };

function settings(overrides: Partial<JudgeSettings> = {}): JudgeSettings {
	return JudgeSettingsSchema.parse({ enabled: true, ...overrides });
}

const isJudge = (request: ChatRequest) => isJudgeRequest(request);

async function run(engine: TestEngine, judge: JudgeSettings, cache?: InMemoryResponseCache) {
	return dispatch([{ id: 'q1', input: { question: 'What do you do on stormy nights?' } }], {
		recipeId: 'answers',
		engine,
		task: withJudge(answerTask, judge, judgeSampling),
		concurrency: 4,
		retry: { maxAttempts: 1 },
		cache
	});
}

function notesOf(notes: TaskNote[], kind: string) {
	return notes.filter((note) => note.kind === kind);
}

describe('JudgeSettingsSchema', () => {
	it('has a usable default rubric and rejects bad rubrics and thresholds', () => {
		const parsed = JudgeSettingsSchema.parse({});
		expect(parsed).toMatchObject({ enabled: false, threshold: 3, scaleMax: 5, retries: 1, rubric: DEFAULT_JUDGE_RUBRIC });
		expect(parsed.rubric).toContain('<rationale></rationale>');
		expect(parsed.rubric).toContain('<score></score>');
		expect(JudgeSettingsSchema.safeParse({ rubric: 'Rate {{sample}}' }).success).toBe(false);
		expect(JudgeSettingsSchema.safeParse({ rubric: 'Rate this.' }).success).toBe(false);
		expect(JudgeSettingsSchema.safeParse({ rubric: '{{#conversation}} open' }).success).toBe(false);
		expect(JudgeSettingsSchema.safeParse({ threshold: 6 }).success).toBe(false);
		expect(JudgeSettingsSchema.safeParse({ threshold: 8, scaleMax: 10 }).success).toBe(true);
	});
});

describe('parseJudgeAnswer', () => {
	it('reads the score and the rationale', () => {
		expect(parseJudgeAnswer('<rationale>Stays in voice, but invents a second lighthouse.</rationale>\n<score>2</score>', 5)).toEqual({ ok: true, score: 2, rationale: 'Stays in voice, but invents a second lighthouse.' });
		expect(parseJudgeAnswer('<think>hmm, 4 or 5</think><rationale>Good.</rationale><score> 4/5 </score>', 5)).toEqual({ ok: true, score: 4, rationale: 'Good.' });
		expect(parseJudgeAnswer('The reply is fine.\nScore: 5', 5)).toEqual({ ok: true, score: 5, rationale: 'The reply is fine.' });
	});

	it('refuses answers without a readable score in range', () => {
		expect(parseJudgeAnswer('<rationale>Fine.</rationale>', 5)).toEqual({ ok: false, reason: 'the judge answer has no <score>' });
		expect(parseJudgeAnswer('<score>excellent</score>', 5)).toEqual({ ok: false, reason: 'the judge\'s score "excellent" is not a number' });
		expect(parseJudgeAnswer('<score>9</score>', 5)).toEqual({ ok: false, reason: 'the judge\'s score 9 is outside 1–5' });
		expect(parseJudgeAnswer('<rationale>Cut off before the sc', 5)).toMatchObject({ ok: false });
		expect(parseJudgeAnswer('<score>0</score>', 5)).toEqual({ ok: false, reason: 'the judge\'s score 0 is outside 1–5' });
		expect(parseJudgeAnswer('Score: 12/10', 5)).toMatchObject({ ok: false });
	});

	it('reads the score lines judges write instead of tags, the last one when there are several', () => {
		expect(parseJudgeAnswer('Score: 7/10', 10)).toEqual({ ok: true, score: 7, rationale: '' });
		expect(parseJudgeAnswer('<score>7</score>', 10)).toMatchObject({ ok: true, score: 7 });
		expect(parseJudgeAnswer('The reply stays in character.\n\n**Score:** 4', 5)).toEqual({ ok: true, score: 4, rationale: 'The reply stays in character.' });
		expect(parseJudgeAnswer('Solid answer.\nFinal score - 3', 5)).toEqual({ ok: true, score: 3, rationale: 'Solid answer.' });
		expect(parseJudgeAnswer('Rating: 2', 5)).toMatchObject({ ok: true, score: 2 });
		expect(parseJudgeAnswer('A score of 5 would need a source. I give it a score of 3 out of 5.', 5)).toMatchObject({ ok: true, score: 3 });
	});

	it('never reads the score from reasoning, in <think> or <thinking> tags', () => {
		expect(parseJudgeAnswer('<thinking>First guess <score>1</score>, but no.</thinking><rationale>Good.</rationale><score>4</score>', 5)).toEqual({ ok: true, score: 4, rationale: 'Good.' });
		expect(parseJudgeAnswer('<reasoning>Score: 2? Still thinking', 5)).toMatchObject({ ok: false });
	});

	it('rescales a score given out of another scale to the rubric\'s', () => {
		expect(parseJudgeAnswer('Score: 7/10', 5)).toMatchObject({ ok: true, score: 3.5 });
		expect(parseJudgeAnswer('<score>8 out of 10</score>', 5)).toMatchObject({ ok: true, score: 4 });
		expect(parseJudgeAnswer('<score>4/5</score>', 5)).toMatchObject({ ok: true, score: 4 });
	});
});

describe('judgeRequest', () => {
	it('sends user text with < > & and mustache-looking braces to the judge unchanged (escaping off)', () => {
		const sample: DraftSample = {
			messages: [
				{ role: 'user', content: 'Is 3 < 4 && 5 > 2? Reply with "yes" or \'no\'. Also: {{name}}' },
				{ role: 'assistant', content: '<b>Yes</b> &amp; 3 < 4 — "quite" so.' }
			],
			tags: [],
			meta: {}
		};
		const request = judgeRequest(sample, settings({ criteria: '- Uses <, > and & correctly.' }), { max_tokens: 50 });
		const prompt = request.messages[1].content;
		expect(prompt).toContain('User: Is 3 < 4 && 5 > 2? Reply with "yes" or \'no\'. Also: {{name}}');
		expect(prompt).toContain('Assistant: <b>Yes</b> &amp; 3 < 4 — "quite" so.');
		expect(prompt).toContain('- Uses <, > and & correctly.');
		expect(prompt).not.toMatch(/&lt;|&gt;|&quot;|&#39;|&#x27;/);
	});
});

describe('withJudge', () => {
	it('returns the task itself when disabled', () => {
		expect(withJudge(answerTask, JudgeSettingsSchema.parse({}), judgeSampling)).toBe(answerTask);
		expect(() => withJudge(answerTask, { ...settings(), rubric: 'no conversation' }, judgeSampling)).toThrow(/\{\{conversation\}\}/);
	});

	it('judges every sample in one parallel yield and marks low scores without dropping them', async () => {
		const engine = new TestEngine()
			.on('stormy nights', testReply('I climb the tower, trim the wick, and keep the lamp turning until dawn.'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('trim the wick'), testReply('<rationale>Concrete, in voice, answers the question.</rationale><score>5</score>'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('Skellig Point'), testReply('<rationale>Answers, but says nothing of who she is beyond the job.</rationale><score>2</score>'));
		const result = await run(engine, settings({ sampling: { temperature: 0 } }));
		expect(result.failures).toEqual([]);
		expect(result.samples).toHaveLength(2);
		const [good, low] = result.samples.map((s) => s.sample);
		expect(good.judge).toEqual({ score: 5, rationale: 'Concrete, in voice, answers the question.', threshold: 3, passed: true });
		expect(low.judge).toEqual({ score: 2, rationale: 'Answers, but says nothing of who she is beyond the job.', threshold: 3, passed: false });
		expect(low.messages[1].content).toBe('I keep the light on Skellig Point.');
		expect(low.meta).toEqual({ kind: 'identity' });

		const judgeRequests = engine.requests.filter((request) => isJudgeRequest(request));
		expect(judgeRequests).toHaveLength(2);
		expect(judgeRequests[0].messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
		expect(judgeRequests[0].messages[1].content).toContain('<conversation>\nSystem: You are Mara, a lighthouse keeper.\n\nUser: What do you do on stormy nights?\n\nAssistant: I climb the tower');
		expect(judgeRequests[0].messages[1].content).toContain('from 1 (fails them) to 5 (meets them fully)');
		expect(judgeRequests[0].sampling).toEqual({ temperature: 0, max_tokens: 300 });
		// Both judge requests were one yield: steps 1 and 2 of the record.
		expect(result.samples[0].provenance.steps.map((step) => step.stepIndex).sort()).toEqual([0, 1, 2]);
		const [summary] = notesOf(result.samples[0].provenance.notes, 'judge-summary');
		expect(summary.data).toEqual({ judged: 2, passed: 1, below: 1, errors: 0 });
	});

	it('asks again only for an unreadable answer, then keeps the sample with judge.error', async () => {
		const engine = new TestEngine()
			.on('stormy nights', testReply('I keep the lamp turning.'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('lamp turning'), testReply('Looks good to me!'), testReply('<score>great</score>'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('Skellig Point'), testReply('<rationale>Fine.</rationale><score>4</score>'));
		const result = await run(engine, settings());
		expect(result.failures).toEqual([]);
		const [unjudged, judged] = result.samples.map((s) => s.sample);
		expect(unjudged.judge).toEqual({ score: 0, rationale: '', threshold: 3, passed: false, error: 'the judge\'s score "great" is not a number' });
		expect(unjudged.messages[2].content).toBe('I keep the lamp turning.');
		expect(judged.judge).toMatchObject({ score: 4, passed: true });
		expect(engine.requests.filter((request) => isJudgeRequest(request))).toHaveLength(3);
		const notes = result.samples[0].provenance.notes;
		expect(notesOf(notes, 'judge-retry')[0].message).toBe('Judge: 1 answer without a readable score (the judge answer has no <score>); asking again (1 of 1)');
		expect(notesOf(notes, 'judge-failed')).toHaveLength(1);
		expect(notesOf(notes, 'judge-summary')[0].data).toEqual({ judged: 1, passed: 1, below: 0, errors: 1 });
	});

	it('re-asks with the next sampling seed when one is set (a seeded endpoint would repeat itself)', async () => {
		const engine = new TestEngine()
			.on('stormy nights', testReply('I keep the lamp turning.'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('lamp turning'), testReply('Looks good to me!'), testReply('Still no tags.'), testReply('<score>4</score>'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('Skellig Point'), testReply('<score>4</score>'));
		const result = await run(engine, settings({ retries: 2, sampling: { seed: 11 } }));
		expect(result.samples.map((s) => s.sample.judge?.score)).toEqual([4, 4]);
		const lamp = engine.requests.filter((request) => isJudgeRequest(request) && request.messages[1].content.includes('lamp turning'));
		expect(lamp.map((request) => request.sampling.seed)).toEqual([11, 12, 13]);
	});

	it('recovers when the re-asked judge answers properly', async () => {
		const engine = new TestEngine()
			.on('stormy nights', testReply('I keep the lamp turning.'))
			.on((request) => isJudge(request) && request.messages[1].content.includes('lamp turning'), testReply('Looks good to me!'), testReply('<rationale>Short but right.</rationale><score>3</score>'))
			.on((request) => isJudge(request), testReply('<score>4</score>'));
		const result = await run(engine, settings());
		expect(result.samples[0].sample.judge).toEqual({ score: 3, rationale: 'Short but right.', threshold: 3, passed: true });
		expect(result.samples[1].sample.judge).toMatchObject({ score: 4, rationale: '' });
	});

	it('keeps every sample when the judge request fails for good', async () => {
		const engine = new TestEngine().on('stormy nights', testReply('I keep the lamp turning.')).on((request) => isJudge(request), testHttpError(400), testReply('<score>5</score>'));
		const result = await run(engine, settings());
		expect(result.failures).toEqual([]);
		expect(result.samples).toHaveLength(2);
		for (const { sample } of result.samples) expect(sample.judge).toMatchObject({ passed: false, error: 'the judge request failed (HTTP 400)' });
	});

	it('replays from the cache with zero engine calls', async () => {
		const cache = new InMemoryResponseCache();
		const script = () =>
			new TestEngine()
				.on('stormy nights', testReply('I keep the lamp turning.'))
				.on((request) => isJudge(request) && request.messages[1].content.includes('lamp turning'), testReply('no score'), testReply('<score>2</score>'))
				.on((request) => isJudge(request), testReply('<score>4</score>'));
		const first = await run(script(), settings(), cache);
		const again = new TestEngine();
		const second = await run(again, settings(), cache);
		expect(again.requests).toHaveLength(0);
		expect(second.samples.map((s) => s.sample)).toEqual(first.samples.map((s) => s.sample));
		expect(second.samples[0].sample.judge).toMatchObject({ score: 2, passed: false });
	});

	it('works with the rehearsal answer', async () => {
		const engine = new TestEngine({
			defaultReply: (request, random) => (isJudgeRequest(request) ? rehearseJudge(request, seededRandom(Math.floor(random * 2 ** 32))) : 'I keep the lamp turning.')
		});
		const result = await run(engine, settings({ scaleMax: 10, threshold: 6 }));
		for (const { sample } of result.samples) {
			expect(sample.judge?.error).toBeUndefined();
			expect(sample.judge!.score).toBeGreaterThanOrEqual(1);
			expect(sample.judge!.score).toBeLessThanOrEqual(10);
			expect(sample.judge!.rationale).toMatch(/^Rehearsal verdict/);
		}
	});
});

describe('rehearseJudge', () => {
	it('answers in the rubric format on the scale the request names, deterministically', () => {
		const request: ChatRequest = { messages: [{ role: 'system', content: JUDGE_SYSTEM_PROMPT }, { role: 'user', content: 'on a scale from 1 (fails them) to 7 (meets them fully).\nAssistant: I keep the light.' }], sampling: { max_tokens: 100 } };
		const scores = new Set<number>();
		for (let seed = 0; seed < 200; seed++) {
			const answer = rehearseJudge(request, seededRandom(seed));
			const parsed = parseJudgeAnswer(answer, 7);
			if (!parsed.ok) throw new Error(parsed.reason);
			scores.add(parsed.score);
			expect(parsed.rationale).toContain('"I keep the light."');
		}
		expect([...scores].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(rehearseJudge(request, seededRandom(9))).toBe(rehearseJudge(request, seededRandom(9)));
	});

	it('shows the conversation as role-labelled blocks', () => {
		expect(judgeConversation([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }])).toBe('User: Hi\n\nAssistant: Hello.');
	});
});
