import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ContentHasher, hashMessages, hashText } from './hash';

describe('hashMessages', () => {
	const m = (role: string, content: string | null | unknown[]) => ({ role, content });

	it('is 16 hex digits and deterministic', () => {
		const h = hashMessages([m('user', 'hi')]);
		expect(h).toMatch(/^[0-9a-f]{16}$/);
		expect(hashMessages([m('user', 'hi')])).toBe(h);
	});

	it('depends on roles, contents, boundaries and content types, not on other keys', () => {
		const hashes = [
			hashMessages([m('user', 'hi')]),
			hashMessages([m('assistant', 'hi')]),
			hashMessages([m('user', 'hj')]),
			hashMessages([m('user', 'h'), m('user', 'i')]),
			hashMessages([m('user', 'null')]),
			hashMessages([m('user', null)]),
			hashMessages([m('user', ['hi'])]),
			hashMessages([]),
			hashMessages([m('user', 'hi'), m('user', '')])
		];
		expect(new Set(hashes).size).toBe(hashes.length);
		expect(hashMessages([{ role: 'user', content: 'hi', name: 'x', weight: 0 }])).toBe(hashes[0]);
	});

	it('counts tool calls', () => {
		expect(hashMessages([{ role: 'assistant', content: null, tool_calls: [1] }])).not.toBe(
			hashMessages([{ role: 'assistant', content: null, tool_calls: [2] }])
		);
	});

	it('has no collisions on many small distinct strings', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 100_000; i++) seen.add(hashText(String(i)));
		expect(seen.size).toBe(100_000);
	});

	it('keeps piece boundaries in the hash', () => {
		fc.assert(
			fc.property(fc.string(), fc.string(), (a, b) => {
				fc.pre(a.length > 0);
				const split = new ContentHasher().update(a).update(b).digest();
				const moved = new ContentHasher().update(a.slice(0, -1)).update(a.slice(-1) + b).digest();
				expect(split).not.toBe(moved);
			})
		);
	});

	it('hashes 50 MB of text in well under a second', () => {
		const text = 'lorem ipsum dolor sit amet, ünïcödé 😀 '.repeat(1_300_000);
		const start = performance.now();
		hashMessages([{ role: 'user', content: text }]);
		expect(performance.now() - start).toBeLessThan(1000);
	});
});
