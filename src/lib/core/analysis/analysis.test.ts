import { describe, expect, it } from 'vitest';
import { makeEntry, msg } from '../curation/test-fixtures';
import { StructureCollector } from './structure';
import { DuplicateFinder, idsToDelete } from './duplicates';
import { promptDiversity } from './diversity';
import { buildChecklist } from './checklist';
import { TokenCollector, tokenTexts } from './tokens';
import { tokenizerInfo } from './tokenizers';
import { loadTokenizer } from './tokenizer-loader';

const SYSTEM = 'You are Mara, the lighthouse keeper.';
const chat = (id: string, user: string, assistant: string, extra: Parameters<typeof makeEntry>[2] = {}) =>
	makeEntry(id, [msg('system', SYSTEM), msg('user', user), msg('assistant', assistant)], extra);

describe('structure collector', () => {
	it('counts entries, roles, prompts, tags, review states, duplicates and garbage', () => {
		const collector = new StructureCollector();
		collector.add(chat('a', 'How is the lamp?', 'Burning.', { tags: ['lamp'], meta: { review: 'accepted' } }));
		collector.add(chat('b', 'how is   the lamp?', 'Steady.', { tags: ['lamp', 'night'] }));
		collector.add(chat('c', 'How is the lamp?', 'Burning.'));
		collector.add(makeEntry('d', [msg('human', 'Hello?'), msg('user', '  ')]));
		const result = collector.finish();
		expect(result.entries).toBe(4);
		expect(result.messages).toBe(11);
		expect(result.roles.map((r) => [r.role, r.messages])).toEqual([
			['user', 5],
			['system', 3],
			['assistant', 3]
		]);
		expect(result.systemPrompts).toMatchObject({ distinct: 1, entriesWithout: 1, top: [{ excerpt: SYSTEM, count: 3 }] });
		expect(result.tags).toMatchObject({ distinct: 2, untagged: 2, top: [{ tag: 'lamp', count: 2 }, { tag: 'night', count: 1 }] });
		expect(result.review).toEqual({ draft: 3, accepted: 1, rejected: 0 });
		expect(result.exactDuplicates).toEqual({ groups: 1, redundantEntries: 1 });
		expect(result.prompts).toEqual({ withPrompt: 4, exactRedundant: 2 });
		expect(result.garbage).toEqual({ emptyMessages: 1, noAssistant: 1, noMessages: 0, anyProblem: 1 });
		expect(result.exchangesPerEntry.summary.max).toBe(1);
		expect(result.messagesPerEntry.histogram).toEqual([
			{ from: 2, to: 2, count: 1 },
			{ from: 3, to: 3, count: 3 }
		]);
	});
});

describe('duplicate clusters', () => {
	const base = 'Tell me about the night the storm took the northern light and how you kept the lamp burning until dawn';
	const entries = [
		chat('e1', base, 'It was a long night, and the sea was very loud against the rocks below the tower.'),
		chat('e2', 'What is your favourite book?', 'The tide tables, honestly. They never lie to me.'),
		chat('e3', base + ' again', 'It was a long night, and the sea was very loud against the rocks below the tower.'),
		chat('e4', base, 'Something else entirely, about gulls and fog and the supply boat that came late.')
	];
	it('finds near-duplicate conversations, first member first', () => {
		const finder = new DuplicateFinder({ scope: 'conversations', method: 'near', threshold: 0.7 });
		entries.forEach((e, i) => finder.add(e, i));
		const found = finder.finish();
		expect(found.clusters.map((c) => c.members.map((m) => m.id))).toEqual([['e1', 'e3']]);
		expect(found.clusters[0].members[1].position).toBe(2);
		expect(found.redundantEntries).toBe(1);
		expect(idsToDelete(found.clusters)).toEqual(['e3']);
		expect(idsToDelete(found.clusters, new Map([[0, 'e3']]))).toEqual(['e1']);
	});
	it('finds exact duplicate prompts', () => {
		const finder = new DuplicateFinder({ scope: 'prompts', method: 'exact', threshold: 1 });
		entries.forEach((e, i) => finder.add(e, i));
		expect(finder.finish().clusters.map((c) => c.members.map((m) => m.position))).toEqual([[0, 3]]);
	});
});

describe('diversity and checklist', () => {
	it('judges prompt diversity against the 10% target', () => {
		expect(promptDiversity(100, 5, null)).toMatchObject({ redundantShare: 0.05, meetsTarget: true });
		expect(promptDiversity(100, 5, 12)).toMatchObject({ redundantShare: 0.12, meetsTarget: false });
		expect(promptDiversity(0, 0, 0).meetsTarget).toBe(true);
	});
	it('flags a small, unreviewed dataset', () => {
		const collector = new StructureCollector();
		collector.add(chat('a', 'Hi', 'Hello.'));
		const items = buildChecklist({ structure: collector.finish(), tokens: null, diversity: promptDiversity(1, 0, 0), sampleReviewed: 0 });
		const byId = Object.fromEntries(items.map((i) => [i.id, i.status]));
		expect(byId).toMatchObject({ volume: 'fail', reviewed: 'fail', garbage: 'pass', diversity: 'pass', voice: 'pending' });
	});
});

describe('token counts with real tokenizers', () => {
	it('counts like the cookbook with o200k_base and differently with Qwen', async () => {
		const entry = chat('a', 'Hello world', 'Hello world');
		const openai = new TokenCollector(tokenizerInfo('o200k_base'), await loadTokenizer('o200k_base'));
		const encode = await loadTokenizer('o200k_base');
		const systemTokens = encode(SYSTEM);
		// The notebook's num_tokens_from_messages: 3 per message + the tokens of every value (the
		// role too) + 1 per name, + 3 for the reply. "Hello world" is 2 tokens; each role name is 1.
		expect(['system', 'user', 'assistant'].map(encode)).toEqual([1, 1, 1]);
		expect(openai.add(entry)).toBe(3 + 3 * 3 + (1 + systemTokens) + (1 + 2) + (1 + 2));
		const named = makeEntry('n', [{ role: 'user', content: 'Hello world', name: 'Mara' }, msg('assistant', 'Hello world')]);
		expect(openai.add(named)).toBe(3 + 2 * 3 + (1 + 2 + encode('Mara') + 1) + (1 + 2));
		const result = openai.finish();
		expect(result.cost.examples).toBe(2);
		// num_assistant_tokens_from_messages: the assistant's content only.
		expect(result.assistantTokensPerEntry.summary.total).toBe(4);
		expect(result.roles.find((r) => r.role === 'user')?.tokens).toBe(2 + 2 + encode('Mara') + 1);
		// Special-token spellings in data are text, not errors.
		expect((await loadTokenizer('cl100k_base'))('a <|endoftext|> b')).toBeGreaterThan(3);
		const qwen = new TokenCollector(tokenizerInfo('qwen3'), await loadTokenizer('qwen3'));
		expect(qwen.add(entry)).toBeGreaterThan(0);
		expect(qwen.finish().totalTokens).not.toBe(result.totalTokens);
	}, 30_000);
});

describe('token counts made elsewhere (the counting workers)', () => {
	it('add the same figures as counting in place, for names, tool calls, structured content and odd roles', async () => {
		const entries = [
			chat('a', 'Hello world', 'Hello world'),
			makeEntry('b', [{ role: 'user', content: 'Hi there', name: 'Mara' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lamp', arguments: '{"on":true}' } }] }, { role: 'tool', content: 'lit' }]),
			makeEntry('c', [msg('human', 'Who keeps the light?'), { role: 'assistant', content: [{ type: 'text', text: 'I do, every night.' }] }]),
			makeEntry('d', [])
		];
		for (const id of ['o200k_base', 'qwen3'] as const) {
			const count = await loadTokenizer(id);
			const inPlace = new TokenCollector(tokenizerInfo(id), count);
			for (const entry of entries) inPlace.add(entry);
			const texts: string[] = [];
			for (const entry of entries) tokenTexts(entry, tokenizerInfo(id), texts);
			const counts = texts.map((text) => count(text));
			const elsewhere = new TokenCollector(tokenizerInfo(id));
			let offset = 0;
			for (const entry of entries) offset = elsewhere.addCounted(entry, counts, offset).next;
			expect(offset).toBe(counts.length);
			expect(elsewhere.finish()).toEqual(inPlace.finish());
		}
	}, 30_000);
});

describe('a tokenizer that cannot be loaded (offline)', () => {
	it('is explained in plain words, not as a failed dynamic import', async () => {
		const { tokenizerUnavailable } = await import('./tokenizer-loader');
		const offline = tokenizerUnavailable('o200k_base', new TypeError('Failed to fetch dynamically imported module: http://localhost/_app/immutable/workers/chunks/Bs-udyWU.js'));
		expect(offline.message).toBe(
			"The OpenAI o200k_base tokenizer isn't available offline: connect once, or make it available offline under “Offline tokenizers” next to the tokenizer picker. Everything else on this page works without it."
		);
		expect(offline.message).not.toContain('dynamically imported');
	});
});
