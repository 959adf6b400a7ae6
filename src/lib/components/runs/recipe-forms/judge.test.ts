import { describe, expect, it } from 'vitest';
import { defaultJudgeFields, parseJudge } from './judge';

describe('the judge fields', () => {
	it('send the judge its own sampling: temperature 0 and a short max_tokens by default, editable', () => {
		const fields = { ...defaultJudgeFields(), enabled: true };
		expect(parseJudge(fields)).toEqual({ ok: true, value: { criteria: fields.criteria, threshold: 7, sampling: { temperature: 0, max_tokens: 256 } } });
		expect(parseJudge({ ...fields, temperature: '0.2', maxTokens: '120' })).toMatchObject({ ok: true, value: { sampling: { temperature: 0.2, max_tokens: 120 } } });
		expect(parseJudge({ ...fields, temperature: '', maxTokens: '' })).toEqual({ ok: true, value: { criteria: fields.criteria, threshold: 7 } });
	});

	it('say which judge field is wrong', () => {
		const fields = { ...defaultJudgeFields(), enabled: true };
		expect(parseJudge({ ...fields, temperature: '3' })).toEqual({ ok: false, errors: { judgeTemperature: 'The judge temperature is a number from 0 to 2.' } });
		expect(parseJudge({ ...fields, maxTokens: '2.5' })).toEqual({ ok: false, errors: { judgeMaxTokens: 'The judge max_tokens is a whole number of 1 or more.' } });
	});
});
