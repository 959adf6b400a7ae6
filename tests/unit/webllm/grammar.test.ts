/**
 * The chunked recipe's answer format, decided by the XGrammar web-llm 0.2.86 bundles: what the
 * model may write under the schema web-llm would compile, and under the grammar we send instead.
 */
import { describe, expect, it } from 'vitest';
import { CHUNK_ENTRIES_SCHEMA } from '$lib/core/recipes/chunked';
import { CHUNK_ENTRIES_GRAMMAR, grammarForSchema, MAX_JSON_WHITESPACE } from '$lib/engines/webllm/grammar';
import { webllmInternals } from './webllm-internals';

const answer = (response: string, gap = ' ') => `{"entries":${gap}[{"prompt": "What did she say?", "response": ${JSON.stringify(response)}}]}`;

const QUOTED = 'She said "hello".';
const TWO_LINES = 'Line one\nLine two';

describe('chunked answers under web-llm’s XGrammar', () => {
	it('the grammar we send is the one XGrammar generates from the schema with a whitespace cap', async () => {
		const { xgrammar } = await webllmInternals();
		const generated = await xgrammar.Testings._jsonSchemaToEBNF(JSON.stringify(CHUNK_ENTRIES_SCHEMA), true, 2, undefined, true, MAX_JSON_WHITESPACE);
		// On a schema change, paste `generated` into src/lib/engines/webllm/grammar.ts.
		expect(CHUNK_ENTRIES_GRAMMAR).toBe(generated);
		expect(grammarForSchema(JSON.parse(JSON.stringify(CHUNK_ENTRIES_SCHEMA)))).toBe(CHUNK_ENTRIES_GRAMMAR);
		expect(grammarForSchema({ type: 'object' })).toBeUndefined();
	});

	it('the schema as web-llm compiles it (json_object + schema) lets answers quote and break lines', async () => {
		const { xgrammar } = await webllmInternals();
		const grammar = await xgrammar.Grammar.fromJSONSchema(JSON.stringify(CHUNK_ENTRIES_SCHEMA));
		expect(await xgrammar.Testings.isGrammarAcceptString(grammar, answer(QUOTED))).toBe(true);
		expect(await xgrammar.Testings.isGrammarAcceptString(grammar, answer(TWO_LINES))).toBe(true);
	});

	it('minLength (the old schema) loses the escape branch: the defect this schema avoids', async () => {
		const { xgrammar } = await webllmInternals();
		const old = structuredClone(CHUNK_ENTRIES_SCHEMA) as { properties: { entries: { items: { properties: Record<string, object> } } } };
		old.properties.entries.items.properties = { prompt: { type: 'string', minLength: 1 }, response: { type: 'string', minLength: 1 } };
		const grammar = await xgrammar.Grammar.fromJSONSchema(JSON.stringify(old));
		expect(await xgrammar.Testings.isGrammarAcceptString(grammar, answer(QUOTED))).toBe(false);
		expect(await xgrammar.Testings.isGrammarAcceptString(grammar, answer('plain'))).toBe(true);
	});

	it('the grammar we send accepts quotes, line breaks and unicode, and caps whitespace between tokens', async () => {
		const { xgrammar } = await webllmInternals();
		const grammar = await xgrammar.Grammar.fromEBNF(CHUNK_ENTRIES_GRAMMAR);
		const accepts = (text: string) => xgrammar.Testings.isGrammarAcceptString(grammar, text);
		expect(await accepts(answer(QUOTED))).toBe(true);
		expect(await accepts(answer(TWO_LINES))).toBe(true);
		expect(await accepts(answer('Ça va ? « Oui » — 日本語 🙂'))).toBe(true);
		expect(await accepts(JSON.stringify({ entries: [{ prompt: 'a', response: 'b' }, { prompt: 'c', response: 'd' }] }, null, 2))).toBe(true);
		expect(await accepts(answer('x', ' '.repeat(MAX_JSON_WHITESPACE)))).toBe(true);
		expect(await accepts(answer('x', ' '.repeat(MAX_JSON_WHITESPACE + 1)))).toBe(false);
		expect(await accepts(answer('x', '\n'.repeat(200)))).toBe(false);
		// Still the schema: no other keys, at least one entry.
		expect(await accepts('{"entries": []}')).toBe(false);
		expect(await accepts('{"entries": [{"prompt": "a", "response": "b", "extra": 1}]}')).toBe(false);
	});

	it('the schema web-llm would compile itself has no cap (why the grammar is sent)', async () => {
		const { xgrammar } = await webllmInternals();
		const grammar = await xgrammar.Grammar.fromJSONSchema(JSON.stringify(CHUNK_ENTRIES_SCHEMA));
		expect(await xgrammar.Testings.isGrammarAcceptString(grammar, answer('x', '\n'.repeat(200)))).toBe(true);
	});
});
