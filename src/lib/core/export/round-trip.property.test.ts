/**
 * Export → `importText` round trips (fast-check): lossless for the conversations each format can
 * express, and for lossy exports the re-import differs only in the documented ways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Entry, Message } from '../model';
import { writeEntry, type WriterOptions } from './writers';
import type { ExportFileFormat } from './serialize';
import { entryOf, reimport } from './test-entries';

afterEach(() => {
	expect(Object.keys(Object.prototype)).toEqual([]);
});

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('', ' ', '\n', '<think>x</think>\n\ny', '{{char}}', '\u2028', '"}\n{'));
const oddKey = fc.constantFrom('name', 'weight', 'train', '__proto__', 'constructor', 'refusal', 'ünï', 'from_x');
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
const messageKeys = fc.array(fc.tuple(oddKey, scalar), { maxLength: 2 });

function message(role: string, content: string, keys: [string, unknown][] = []): Message {
	return Object.fromEntries([['role', role], ['content', content], ...keys]) as Message;
}

/** Optional system prompt, then strict user/assistant alternation ending on assistant. */
function alternating(options: { keys: boolean; system: fc.Arbitrary<string | null>; minPairs?: number; maxPairs?: number }): fc.Arbitrary<Message[]> {
	const keys = options.keys ? messageKeys : fc.constant([] as [string, unknown][]);
	const pair = fc.tuple(text, keys, text, keys).map(([u, uk, a, ak]) => [message('user', u, uk), message('assistant', a, ak)]);
	return fc
		.tuple(options.system, fc.array(pair, { minLength: options.minPairs ?? 1, maxLength: options.maxPairs ?? 4 }))
		.map(([system, pairs]) => [...(system === null ? [] : [message('system', system)]), ...pairs.flat()]);
}

function exportAndReimport(entries: readonly Entry[], format: ExportFileFormat, options: WriterOptions = {}) {
	const lines: string[] = [];
	for (const entry of entries) {
		const outcome = writeEntry(entry, format, options);
		if (outcome.kind !== 'written') throw new Error(`${format} skipped ${outcome.reason.code}: ${outcome.reason.message}`);
		lines.push(...outcome.lines);
	}
	const result = reimport(lines);
	expect(result.report.errors).toEqual([]);
	return result;
}

/** Messages as plain role/content, what a format without per-message keys keeps. */
const bare = (messages: readonly Message[]) => messages.map((m) => ({ role: m.role, content: m.content }));

describe('lossless round trips', () => {
	it('openai (minimal and with metadata): any messages, any roles', () => {
		const role = fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'Narrator'), fc.string({ minLength: 1, maxLength: 6 }));
		const content = fc.oneof(text, fc.constant(null), fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }));
		const anyMessage = fc.tuple(role, content, messageKeys).map(([r, c, keys]) => Object.fromEntries([['role', r], ['content', c], ...keys]) as Message);
		const tools = fc.option(fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.string({ maxLength: 6 }) }) }), { maxLength: 2 }), { nil: undefined });
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.array(anyMessage, { minLength: 1, maxLength: 5 }), tools), { minLength: 1, maxLength: 4 }), fc.boolean(), (records, withMetadata) => {
				const entries = records.map(([messages, t], i) => entryOf(messages, { id: `x${i}`, tags: ['t'], extra: t === undefined ? {} : { tools: t } }));
				// "Keep other message keys" (issue 14: minimal writes only OpenAI's keys) round-trips every key.
				const { entries: back } = exportAndReimport(entries, 'openai', { openAiMetadata: withMetadata, openAiKeepExtras: true });
				expect(back.map((e) => e.messages)).toEqual(entries.map((e) => e.messages));
				// Minimal: the same messages with only OpenAI's keys.
				const openAiKeys = new Set(['role', 'content', 'name', 'weight', 'tool_calls', 'tool_call_id', 'function_call', 'refusal']);
				const { entries: minimal } = exportAndReimport(entries, 'openai', { openAiMetadata: withMetadata });
				expect(minimal.map((e) => e.messages)).toEqual(entries.map((e) => e.messages.map((m) => Object.fromEntries(Object.entries(m).filter(([key]) => openAiKeys.has(key))))));
				back.forEach((e, i) => {
					expect(e.extra.tools).toEqual(entries[i].extra.tools);
					if (withMetadata) expect(e.extra).toMatchObject({ id: `x${i}`, metadata: { tags: ['t'], review: 'draft' } });
				});
			}),
			{ numRuns: 200 }
		);
	});

	it('sharegpt: system + alternation, message keys kept on the turns', () => {
		fc.assert(
			fc.property(fc.array(alternating({ keys: true, system: fc.option(text, { nil: null }) }), { minLength: 1, maxLength: 4 }), (conversations) => {
				const entries = conversations.map((messages) => entryOf(messages));
				const { entries: back, report } = exportAndReimport(entries, 'sharegpt');
				expect(report.formats).toEqual({ sharegpt: entries.length });
				expect(back.map((e) => e.messages)).toEqual(entries.map((e) => e.messages));
			}),
			{ numRuns: 200 }
		);
	});

	it('alpaca: non-empty system + pairs, history included', () => {
		fc.assert(
			fc.property(fc.array(alternating({ keys: false, system: fc.option(text.filter((t) => t.length > 0), { nil: null }) }), { minLength: 1, maxLength: 4 }), (conversations) => {
				const entries = conversations.map((messages) => entryOf(messages));
				const { entries: back, report } = exportAndReimport(entries, 'alpaca');
				expect(report.formats).toEqual({ alpaca: entries.length });
				expect(back.map((e) => e.messages)).toEqual(entries.map((e) => e.messages));
			}),
			{ numRuns: 200 }
		);
	});

	it('prompt-response single-turn: one exchange', () => {
		fc.assert(
			fc.property(fc.array(alternating({ keys: false, system: fc.constant(null), maxPairs: 1 }), { minLength: 1, maxLength: 4 }), (conversations) => {
				const entries = conversations.map((messages) => entryOf(messages));
				const { entries: back, report } = exportAndReimport(entries, 'prompt-response');
				expect(report.formats).toEqual({ 'prompt-response': entries.length });
				expect(back.map((e) => e.messages)).toEqual(entries.map((e) => e.messages));
			}),
			{ numRuns: 200 }
		);
	});
});

describe('lossy exports differ only as documented', () => {
	it('alpaca and prompt-response drop message keys, nothing else', () => {
		fc.assert(
			fc.property(alternating({ keys: true, system: fc.constant(null), maxPairs: 1 }), (messages) => {
				const entry = entryOf(messages);
				expect(exportAndReimport([entry], 'alpaca').entries[0].messages).toEqual(bare(messages));
				expect(exportAndReimport([entry], 'prompt-response').entries[0].messages).toEqual(bare(messages));
			}),
			{ numRuns: 100 }
		);
	});

	it('prompt-response every-pair: each pair becomes its own entry; system and context go', () => {
		fc.assert(
			fc.property(alternating({ keys: false, system: fc.option(text, { nil: null }) }), (messages) => {
				const { entries: back } = exportAndReimport([entryOf(messages)], 'prompt-response', { promptResponseMode: 'every-pair' });
				const pairs = messages.filter((m) => m.role !== 'system');
				const expected: Message[][] = [];
				for (let i = 0; i < pairs.length; i += 2) expected.push([pairs[i], pairs[i + 1]]);
				expect(back.map((e) => e.messages)).toEqual(expected);
			}),
			{ numRuns: 100 }
		);
	});

	it('sharegpt with tools: calls come back as tool_calls numbered call_1…, results linked in order, all else equal', () => {
		const call = fc.record({ id: fc.string({ maxLength: 4 }), type: fc.constant('function'), function: fc.record({ name: fc.string({ minLength: 1, maxLength: 6 }), arguments: fc.dictionary(fc.string({ maxLength: 3 }), fc.integer()).map((a) => JSON.stringify(a)) }) });
		const toolRound = fc.tuple(text, fc.array(call, { minLength: 1, maxLength: 2 }), text, text).map(([question, calls, result, answer]): Message[] => [
			{ role: 'user', content: question },
			{ role: 'assistant', content: null, tool_calls: calls },
			{ role: 'tool', content: result, tool_call_id: calls[0].id },
			{ role: 'assistant', content: answer }
		]);
		fc.assert(
			fc.property(toolRound, (messages) => {
				const { entries: back } = exportAndReimport([entryOf(messages)], 'sharegpt');
				const calls = messages[1].tool_calls as { function: { name: string; arguments: string } }[];
				const numbered = calls.map((c, i) => ({ id: `call_${i + 1}`, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
				expect(back[0].messages).toEqual([
					messages[0],
					{ role: 'assistant', content: null, tool_calls: numbered },
					{ role: 'tool', content: messages[2].content, tool_call_id: 'call_1' },
					messages[3]
				]);
				// And the re-imported entry exports to the same line again.
				const again = exportAndReimport(back, 'sharegpt');
				expect(again.entries[0].messages).toEqual(back[0].messages);
			}),
			{ numRuns: 100 }
		);
	});
});
