import { describe, expect, it } from 'vitest';
import { TEMPLATE_FAMILIES, TEMPLATE_TOKENIZER_LABELS } from './families';
import { describeTarget, FAMILY_LABELS, parseMaxSeqLen, TOKENIZER_LABELS } from './target-labels';

describe('target labels', () => {
	it('name every family and tokenizer as families.ts does', () => {
		for (const family of TEMPLATE_FAMILIES) expect(FAMILY_LABELS[family.id]).toBe(family.label);
		expect(TOKENIZER_LABELS).toEqual(TEMPLATE_TOKENIZER_LABELS);
	});

	it('describe a target in one line', () => {
		expect(describeTarget({ template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 4096, lossMode: 'assistant-only' })).toBe('Qwen3 · max 4,096 tokens · assistant turns only');
		expect(
			describeTarget({
				template: { kind: 'custom', origin: 'tokenizer_config.json', chatTemplate: 'x', bosToken: null, eosToken: null, turnEnds: [], tokenizer: 'qwen3' },
				maxSeqLen: 512,
				lossMode: 'everything'
			})
		).toBe('Custom (tokenizer_config.json) · max 512 tokens · train on everything');
	});

	it('read max_seq_len, and say what is wrong with a bad one', () => {
		expect(parseMaxSeqLen(' 2,048 ')).toEqual({ ok: true, value: 2048 });
		expect(parseMaxSeqLen('0')).toMatchObject({ ok: false, error: /at least 1/ });
		expect(parseMaxSeqLen('1e3')).toMatchObject({ ok: false, error: /whole number/ });
		expect(parseMaxSeqLen('')).toMatchObject({ ok: false });
	});
});
