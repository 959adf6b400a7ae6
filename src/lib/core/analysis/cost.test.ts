import { describe, expect, it } from 'vitest';
import { defaultEpochs, estimateTrainingCost, priceOf, TRAINING_TOKEN_LIMIT } from './cost';

describe('the cookbook epoch rule', () => {
	it('defaults to 3 and scales for small and large sets', () => {
		expect(defaultEpochs(100)).toBe(3);
		expect(defaultEpochs(8_333)).toBe(3);
		// n × 3 < 100 → min(25, 100 ÷ n)
		expect(defaultEpochs(10)).toBe(10);
		expect(defaultEpochs(33)).toBe(3);
		expect(defaultEpochs(3)).toBe(25);
		expect(defaultEpochs(1)).toBe(25);
		// n × 3 > 25,000 → max(1, 25,000 ÷ n)
		expect(defaultEpochs(8_334)).toBe(2);
		expect(defaultEpochs(12_501)).toBe(1);
		expect(defaultEpochs(100_000)).toBe(1);
	});
	it('bills each example up to the limit', () => {
		const estimate = estimateTrainingCost([100, 200, TRAINING_TOKEN_LIMIT + 500]);
		expect(estimate).toEqual({ examples: 3, billedTokens: 300 + TRAINING_TOKEN_LIMIT, epochs: 25, trainedTokens: 25 * (300 + TRAINING_TOKEN_LIMIT), overLimit: 1 });
		expect(estimateTrainingCost([100, 100], 4).trainedTokens).toBe(800);
		expect(priceOf(2_000_000, 25)).toBe(50);
	});
});
