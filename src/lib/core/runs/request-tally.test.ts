import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../runtime/dispatcher';
import { tallyRequests, tallyText } from './request-tally';

const request = { messages: [{ role: 'user' as const, content: 'Write three questions about the lamp.' }], sampling: { max_tokens: 256, seed: 4 } };
function step(extra: Partial<StepRecord>): StepRecord {
	return { stepIndex: 0, engineId: 'endpoint', request, attempts: 1, cached: false, cacheKey: 'k', startedAt: 0, endedAt: 1, ...extra };
}

describe('request tally of a record', () => {
	it('counts calls, cache answers, retried attempts and unusable answers, with their reasons', () => {
		const steps = [
			step({ stepIndex: 0, attempts: 0, cached: true }),
			step({
				stepIndex: 1,
				attempts: 3,
				retries: [
					{ attempt: 1, error: { kind: 'http', status: 429, message: 'slow down' } },
					{ attempt: 2, error: { kind: 'http', status: 429, message: 'slow down' } }
				],
				rejected: 'The answer is not JSON'
			}),
			step({ stepIndex: 2, attempts: 2, retries: [{ attempt: 1, error: { kind: 'timeout', message: 'no answer in 60 s' } }], round: 1 })
		];
		const tally = tallyRequests(steps);
		expect(tally).toMatchObject({ sent: 5, cached: 1, retried: 3, unusable: 1, round: 1 });
		expect(tally.retryReasons).toEqual([
			{ reason: 'rate limited (HTTP 429)', count: 2 },
			{ reason: 'timeout', count: 1 }
		]);
		expect(tallyText(tally)).toBe('5 requests sent · 1 from cache · 3 retried (rate limited (HTTP 429) ×2; timeout) · 1 unusable (The answer is not JSON) · retry round 1');
	});

	it('a record answered once says just that', () => {
		expect(tallyText(tallyRequests([step({})]))).toBe('1 request sent');
		expect(tallyText(tallyRequests([]))).toBe('0 requests sent');
	});
});
