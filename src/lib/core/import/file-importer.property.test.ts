/**
 * Property tests (fast-check) for the importer and the serializer:
 * (a) Skein export → import is lossless for arbitrary entries, odd keys included;
 * (b) the importer never throws on arbitrary text, and chunking does not change its result;
 * (c) OpenAI JSONL → import → OpenAI export gives back the same messages (and tools).
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { entryToLine } from '../export/serialize';
import { hashMessages } from '../hash';
import { FORMAT_IDS, REVIEW_STATES, type Entry, type Message } from '../model';
import { importInChunks } from '../test-utils';

afterEach(() => {
	expect(Object.keys(Object.prototype)).toEqual([]);
});

const oddKey = fc.oneof(
	fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'messages', 'skein', '__ERROR__', '', 'ünïcödé', '😀', 'role', 'content', 'tools', 'a.b'),
	fc.string({ maxLength: 8 })
);
// JSON data as it comes out of JSON.parse (fast-check's jsonValue may contain -0).
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** An object with arbitrary (odd) keys, built with Object.fromEntries so `__proto__` is data. */
function recordOf(value: fc.Arbitrary<unknown>, exclude: readonly string[] = [], maxLength = 4): fc.Arbitrary<Record<string, unknown>> {
	return fc
		.array(fc.tuple(oddKey, value), { maxLength })
		.map((pairs) => Object.fromEntries(pairs.filter(([k]) => !exclude.includes(k))));
}

const role = fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'Narrator'), fc.string({ maxLength: 10 }));
const content = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null), fc.array(json, { maxLength: 3 }));
const message: fc.Arbitrary<Message> = fc
	.tuple(role, content, recordOf(json, ['role', 'content']))
	.map(([r, c, rest]) => Object.fromEntries([['role', r], ['content', c], ...Object.entries(rest)]) as Message);

const meta = fc
	.tuple(
		fc.constantFrom(...REVIEW_STATES),
		fc.option(fc.record({ format: fc.constantFrom(...FORMAT_IDS), file: fc.string(), line: fc.nat() }, { requiredKeys: ['format'] }), { nil: undefined }),
		fc.option(fc.string(), { nil: undefined }),
		fc.option(json, { nil: undefined }),
		recordOf(json, ['review', 'source', 'notes', 'provenance'], 3)
	)
	.map(([review, source, notes, provenance, rest]) =>
		Object.fromEntries([
			['review', review],
			...(source !== undefined ? [['source', source]] : []),
			...(notes !== undefined ? [['notes', notes]] : []),
			...(provenance !== undefined && provenance !== null ? [['provenance', provenance]] : []),
			...Object.entries(rest)
		]) as Entry['meta']
	);

const entry: fc.Arbitrary<Entry> = fc
	.record({
		id: fc.string({ minLength: 1, maxLength: 12 }),
		messages: fc.array(message, { maxLength: 5 }),
		tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
		characters: fc.option(recordOf(fc.string({ maxLength: 10 }), [], 3) as fc.Arbitrary<Record<string, string>>, { nil: undefined }),
		meta,
		extra: recordOf(json)
	})
	// Canonical key order (the importer's), so the JSON comparison below can include key order.
	.map(({ id, messages, tags, characters, meta, extra }) => ({
		id,
		messages,
		tags,
		...(characters !== undefined ? { characters } : {}),
		meta,
		extra,
		hash: hashMessages(messages)
	}));

describe('(a) Skein round trip', () => {
	it('export → import gives back exactly the same entries', () => {
		fc.assert(
			fc.property(fc.array(entry, { maxLength: 6 }), fc.array(fc.nat(4000), { maxLength: 5 }), (generated, cuts) => {
				const entries = generated.map((e, i) => ({ ...e, id: `${i}:${e.id}` }));
				const text = entries.map((e) => entryToLine(e, 'skein')).join('\n');
				const result = importInChunks(text, cuts);
				expect(result.report.errors).toEqual([]);
				expect(result.entries).toEqual(entries);
				// Exact, key order included.
				expect(result.entries.map((e) => JSON.stringify(e))).toEqual(entries.map((e) => JSON.stringify(e)));
			}),
			{ numRuns: 300 }
		);
	});
});

describe('(b) robustness', () => {
	const fragment = fc.oneof(
		fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', '\r', '\r\n', ' ', '\uFEFF', '\uFFFD', 'null', '1', 'x', '"__proto__"'),
		fc.constantFrom(
			'{"messages": [{"role": "user", "content": "hi"}]}',
			'{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}',
			'{"instruction": "i", "input": "x", "output": "o"}',
			'{"user_name": "u", "character_name": "c"}',
			'{"name": "c", "is_user": false, "mes": "m"}',
			'{"__ERROR__": {"error": "e"}}',
			'{"spec": "chara_card_v2", "data": {"name": "n"}}',
			'[{"from": "human", "value": "a"}]'
		),
		fc.string({ maxLength: 6 })
	);
	const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fragment, { maxLength: 40 }).map((f) => f.join('')));

	it('never throws, and any chunking gives the same entries and report', () => {
		fc.assert(
			fc.property(text, fc.array(fc.nat(300), { maxLength: 8 }), fc.constantFrom(undefined, 40), (input, cuts, maxRecordLength) => {
				const whole = importInChunks(input, [], { maxRecordLength });
				const chunked = importInChunks(input, cuts, { maxRecordLength });
				expect(chunked).toEqual(whole);
				expect(whole.report.imported).toBe(whole.entries.length);
				expect(whole.report.errors.length).toBeLessThanOrEqual(whole.report.errorCount);
			}),
			{ numRuns: 1000 }
		);
	});
});

describe('(c) OpenAI round trip', () => {
	it('OpenAI JSONL → import → OpenAI export keeps messages and tools', () => {
		// Tools given as JSON text are LLaMA-Factory's spelling, parsed into OpenAI's list on import
		// (issue 17; checked in llamafactory-formats.test.ts), so this property covers every other value.
		const tools = json.filter((value) => typeof value !== 'string');
		const record = fc.record({ messages: fc.array(message, { minLength: 1, maxLength: 5 }), tools: fc.option(tools, { nil: undefined }) }).map(({ messages, tools }) =>
			tools === undefined || tools === null ? { messages } : { messages, tools }
		);
		fc.assert(
			fc.property(fc.array(record, { minLength: 1, maxLength: 5 }), (records) => {
				const text = records.map((r) => JSON.stringify(r)).join('\n');
				const { entries, report } = importInChunks(text);
				expect(report.errors).toEqual([]);
				expect(report.formats).toEqual({ openai: records.length });
				const exported = entries.map((e) => entryToLine(e, 'openai'));
				expect(exported).toEqual(records.map((r) => JSON.stringify(r)));
			}),
			{ numRuns: 300 }
		);
	});
});
