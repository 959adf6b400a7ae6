import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Entry } from '../model';
import { compileSearch, searchEntries, SearchIndex, type TextQuery } from './search';
import { roleplayEntries } from './test-fixtures';

const entries = roleplayEntries();
const found = (query: TextQuery) => {
	const result = searchEntries(entries, query);
	if (!result.ok) throw new Error(result.error.message);
	return result.indices.map((i) => entries[i].id);
};

describe('search modes', () => {
	it('contains: case-insensitive substring, in chosen roles', () => {
		expect(found({ text: 'CAPTAIN', mode: 'contains' })).toEqual(['rp-001', 'rp-004']);
		expect(found({ text: 'captain', mode: 'contains', roles: ['user'] })).toEqual([]);
		expect(found({ text: 'Captain', mode: 'contains', caseSensitive: true })).toEqual([]);
		expect(found({ text: 'captain', mode: 'contains', caseSensitive: true })).toEqual(['rp-001', 'rp-004']);
		expect(found({ text: 'Mara', mode: 'contains', roles: ['Aria'] })).toEqual([]);
		expect(found({ text: 'deck plates', mode: 'contains', roles: ['Mara'] })).toEqual(['rp-003']);
	});

	it('all words: every word somewhere in the chosen messages', () => {
		expect(found({ text: 'storm course', mode: 'all-words' })).toEqual(['rp-002']);
		expect(found({ text: 'ion helmet', mode: 'all-words', roles: ['assistant'] })).toEqual(['rp-006']);
	});

	it('exact phrase: whole words in order, any whitespace', () => {
		expect(found({ text: 'star  chart', mode: 'phrase' })).toEqual(['rp-001']);
		expect(found({ text: 'star chart', mode: 'contains' })).toEqual(['rp-001', 'rp-005']);
		expect(found({ text: 'chart', mode: 'phrase' })).toEqual(['rp-001']);
		expect(found({ text: 'ring b', mode: 'phrase' })).toEqual(['rp-006']);
	});

	it('regex, tested per message', () => {
		expect(found({ text: '\\*[a-z ]+\\*', mode: 'regex', roles: ['assistant'] })).toEqual(['rp-001', 'rp-002', 'rp-005']);
		expect(found({ text: '^Hear what', mode: 'regex' })).toEqual(['rp-003']);
		expect(found({ text: 'station_weather', mode: 'regex' })).toEqual(['rp-006']);
	});

	it('an empty query matches entries that have the chosen roles', () => {
		expect(found({ text: '  ', mode: 'contains' })).toHaveLength(entries.length);
		expect(found({ text: '', mode: 'regex', roles: ['tool'] })).toEqual(['rp-006']);
	});
});

describe('regex guards', () => {
	it('reports invalid patterns as errors, never throws', () => {
		const result = compileSearch({ text: '([a-z', mode: 'regex' });
		expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-regex' } });
		// Accepted without the u flag when only that flag objects.
		expect(compileSearch({ text: '[a-z\\-]', mode: 'regex' }).ok).toBe(true);
	});

	it('refuses exponential shapes and overlong patterns', () => {
		for (const text of ['(a+)+$', '(\\w*)*x', '(?:x+y*)+', '(a{2,})*']) {
			expect(compileSearch({ text, mode: 'regex' })).toMatchObject({ ok: false, error: { kind: 'risky-regex' } });
		}
		expect(compileSearch({ text: '(\\w+\\s)+', mode: 'regex' }).ok).toBe(true);
		expect(compileSearch({ text: 'a'.repeat(1001), mode: 'regex' })).toMatchObject({ ok: false, error: { kind: 'pattern-too-long' } });
	});

	it('stops at the time budget and says the result is partial', () => {
		let clock = 0;
		const many = Array.from({ length: 5000 }, () => entries[0]);
		const result = searchEntries(many, { text: 'aria', mode: 'contains' }, { budgetMs: 10, now: () => (clock += 1) });
		expect(result).toMatchObject({ ok: true, truncated: true });
		expect(result.ok && result.scanned).toBeLessThan(5000);
	});

	it('never throws on any query', () => {
		fc.assert(
			fc.property(fc.string(), fc.constantFrom('contains', 'all-words', 'phrase', 'regex' as const), fc.boolean(), (text, mode, caseSensitive) => {
				expect(() => searchEntries(entries, { text, mode, caseSensitive }, { budgetMs: 50 })).not.toThrow();
			})
		);
	});

	it('contains finds what a naive check finds; phrase finds a subset of contains', () => {
		fc.assert(
			fc.property(fc.constantFrom('aria', 'the', 'star chart', 'ring', 'b', '*'), (text) => {
				const naive = entries.filter((entry) => entry.messages.some((m) => typeof m.content === 'string' && m.content.toLowerCase().includes(text))).map((e) => e.id);
				const contains = found({ text, mode: 'contains' });
				// Search also reads tool calls, so it may find more than the plain contents hold.
				for (const id of naive) expect(contains).toContain(id);
				for (const id of found({ text, mode: 'phrase' })) expect(contains).toContain(id);
			})
		);
	});
});

describe('speed on 100k entries', () => {
	it('answers a contains search from cached haystacks in well under a second', () => {
		const words = ['navigator', 'storm', 'lantern', 'coffee', 'cutlass', 'helmet', 'chart', 'deck', 'veil', 'ring'];
		const big: Entry[] = Array.from({ length: 100_000 }, (_, i) => {
			const base = entries[i % entries.length];
			return { ...base, id: `e${i}`, messages: base.messages.map((m, j) => (typeof m.content === 'string' ? { ...m, content: `${m.content} ${words[(i + j) % 10]}-${i}`.repeat(3) } : m)) };
		});
		const index = new SearchIndex(big);
		let t = performance.now();
		const cold = index.search({ text: 'lantern-4242', mode: 'contains' });
		const coldMs = performance.now() - t;
		t = performance.now();
		const warm = index.search({ text: 'lantern-4242', mode: 'contains' });
		const warmMs = performance.now() - t;
		t = performance.now();
		const regex = index.search({ text: 'cutlass-\\d+7\\b', mode: 'regex', roles: ['assistant'] });
		const regexMs = performance.now() - t;
		t = performance.now();
		const words2 = index.search({ text: 'storm navigator', mode: 'all-words' });
		const wordsMs = performance.now() - t;
		console.info(`100k entries: first search (builds haystacks) ${coldMs.toFixed(0)} ms, contains ${warmMs.toFixed(0)} ms, regex ${regexMs.toFixed(0)} ms, all-words ${wordsMs.toFixed(0)} ms`);
		expect(cold.ok && warm.ok && regex.ok && words2.ok).toBe(true);
		expect(warm.ok && warm.indices).toContain(4242);
		expect(warmMs).toBeLessThan(1000);
	});
});
