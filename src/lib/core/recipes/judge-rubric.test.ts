import { describe, expect, it } from 'vitest';
import { DEFAULT_JUDGE_RUBRIC, DEFAULT_JUDGE_SAMPLING, judgeRequest, JudgeSettingsSchema, parseJudgeAnswer } from './judge';

describe('the default judge', () => {
	const settings = JudgeSettingsSchema.parse({ enabled: true, scaleMax: 10, threshold: 7 });
	const sample = { messages: [{ role: 'user' as const, content: 'Who taught you the recipe?' }, { role: 'assistant' as const, content: 'My grandmother, in the tower of Toulouse.' }], tags: [], meta: {} };

	it('samples on its own: temperature 0 and a short max_tokens, unless the run sets them', () => {
		expect(settings.sampling).toEqual(DEFAULT_JUDGE_SAMPLING);
		expect(DEFAULT_JUDGE_SAMPLING).toEqual({ temperature: 0, max_tokens: 256 });
		expect(JudgeSettingsSchema.parse({ enabled: true, sampling: { temperature: 0.3, max_tokens: 80 } }).sampling).toEqual({ temperature: 0.3, max_tokens: 80 });
	});

	it('shows examples at the bottom, middle and top of the scale, not one score to copy', () => {
		const prompt = judgeRequest(sample, settings, { max_tokens: 256 }).messages[1].content;
		const scores = [...prompt.matchAll(/<score>(\d+)<\/score>/g)].map((match) => Number(match[1]));
		expect(scores).toEqual([1, 6, 10]);
		expect(prompt).toContain('from 1 (fails them) to 10 (meets them fully)');
		expect(prompt).toContain('Assistant: My grandmother, in the tower of Toulouse.');
		const five = judgeRequest(sample, JudgeSettingsSchema.parse({ enabled: true, scaleMax: 5 }), { max_tokens: 256 }).messages[1].content;
		expect([...five.matchAll(/<score>(\d+)<\/score>/g)].map((match) => Number(match[1]))).toEqual([1, 3, 5]);
		expect(DEFAULT_JUDGE_RUBRIC).not.toContain('<score>3</score>');
	});

	it('reads a judge answer in the format the examples show', () => {
		expect(parseJudgeAnswer('<rationale>Answers in voice, grounded.</rationale>\n<score>8</score>', 10)).toEqual({ ok: true, score: 8, rationale: 'Answers in voice, grounded.' });
	});
});
