import { describe, expect, it } from 'vitest';
import { templateFamily } from './families';
import { resolveTarget, TemplateTargetSchema } from './target';

describe('template targets', () => {
	it('resolve a family to its spec', () => {
		const target = TemplateTargetSchema.parse({ template: { kind: 'family', family: 'gemma3' }, maxSeqLen: 2048, lossMode: 'assistant-only' });
		expect(resolveTarget(target)).toBe(templateFamily('gemma3'));
	});

	it('resolve a custom template, with its eos token as a turn end', () => {
		const target = TemplateTargetSchema.parse({
			template: { kind: 'custom', origin: 'tokenizer_config.json', chatTemplate: '{{ messages[0].content }}', bosToken: null, eosToken: '</s>', turnEnds: ['<|end|>'], tokenizer: 'llama3_1' },
			maxSeqLen: 4096,
			lossMode: 'everything'
		});
		expect(resolveTarget(target)).toMatchObject({ chatTemplate: '{{ messages[0].content }}', eosToken: '</s>', turnEnds: ['<|end|>', '</s>'], tokenizer: 'llama3_1' });
	});

	it('refuse what is not a target', () => {
		expect(TemplateTargetSchema.safeParse({ template: { kind: 'family', family: 'mistral' }, maxSeqLen: 2048, lossMode: 'assistant-only' }).success).toBe(false);
		expect(TemplateTargetSchema.safeParse({ template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 0, lossMode: 'assistant-only' }).success).toBe(false);
		expect(TemplateTargetSchema.safeParse({ template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 2048, lossMode: 'some' }).success).toBe(false);
	});
});
