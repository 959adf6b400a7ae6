import { describe, expect, it } from 'vitest';
import { ENTRY_STATUS } from '../templates/entry-counts';
import type { TemplateTarget } from '../templates/target-schema';
import { targetSummary, TemplateTokenCollector } from './template-tokens';

const target = (lossMode: TemplateTarget['lossMode'], maxSeqLen = 100): TemplateTarget => ({ template: { kind: 'family', family: 'llama3' }, maxSeqLen, lossMode });

function collect(t: TemplateTarget) {
	const collector = new TemplateTokenCollector(t);
	collector.add({ status: ENTRY_STATUS.ok, total: 80, assistant: 30, assistantKept: 30 });
	collector.add({ status: ENTRY_STATUS.ok, total: 150, assistant: 90, assistantKept: 40 });
	collector.add({ status: ENTRY_STATUS.failed, total: 0, assistant: 0, assistantKept: 0 });
	collector.add({ status: ENTRY_STATUS.noSpans, total: 20, assistant: 0, assistantKept: 0 });
	return collector.finish();
}

describe('TemplateTokenCollector', () => {
	it('sums rendered entries, cuts at max_seq_len and trains assistant tokens only', () => {
		const t = collect(target('assistant-only'));
		expect(t).toMatchObject({ entries: 4, rendered: 3, failed: 1, withoutSpans: 1, totalTokens: 250, assistantTokens: 120, trainedTokens: 120, overMaxSeqLen: 1, tokensCut: 50 });
		expect(t.trainedShare).toBeCloseTo(120 / 250);
		expect(t.cost.billedTokens).toBe(80 + 100 + 20);
		expect(t.trainedTokensPerEpoch).toBe(70);
		expect(t.cost.epochs).toBe(25); // 3 examples: the notebook's default, floor(100 / 3) capped at 25
		expect(t.tokensPerEntry.summary.count).toBe(3);
		expect(t.target).toEqual({ label: 'Llama 3.1 / 3.3', maxSeqLen: 100, lossMode: 'assistant-only' });
	});

	it('trains every token under "everything", and still reports the assistant share', () => {
		const t = collect(target('everything'));
		expect(t.trainedTokens).toBe(250);
		expect(t.trainedShare).toBe(1);
		expect(t.assistantShare).toBeCloseTo(120 / 250);
		expect(t.trainedTokensPerEpoch).toBe(200);
	});

	it('names a custom template by where it came from', () => {
		const custom: TemplateTarget = {
			template: { kind: 'custom', origin: 'tokenizer_config.json', chatTemplate: '{{ messages }}', bosToken: null, eosToken: null, turnEnds: [], tokenizer: 'qwen3' },
			maxSeqLen: 10,
			lossMode: 'assistant-only'
		};
		expect(targetSummary(custom).label).toBe('Custom template (tokenizer_config.json)');
	});
});
