import { describe, expect, it } from 'vitest';
import { chooseBanding, MinHasher, NearDuplicateIndex } from './near-duplicates';
import { resolveProfile } from './profiles';
import { BUILTIN_PROFILES } from './profiles';
import { chat } from './testing';
import { validateDataset } from './validate';

/** Seeded generator of varied English-ish sentences. */
function generator(seed: number) {
	let state = seed >>> 0;
	const random = () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
	return {
		random,
		text(words: number) {
			const out: string[] = [];
			for (let i = 0; i < words; i++) out.push(vocabulary[Math.floor(random() * vocabulary.length)]);
			return out.join(' ');
		}
	};
}

describe('MinHash / LSH near-duplicates', () => {
	it('finds an edited copy and leaves unrelated texts alone', () => {
		const gen = generator(1);
		const original = gen.text(200);
		const words = original.split(' ');
		words[50] = 'changed';
		words[120] = 'edited';
		const index = new NearDuplicateIndex({ threshold: 0.8 });
		index.add('a', [original]);
		index.add('b', [gen.text(200)]);
		index.add('c', [words.join(' ')]);
		const groups = index.groups();
		expect(groups).toHaveLength(1);
		expect(groups[0].members.map((m) => m.id)).toEqual(['a', 'c']);
		expect(groups[0].members[1].similarity).toBeGreaterThan(0.8);
	});

	it('is case- and punctuation-insensitive and handles texts shorter than a shingle', () => {
		const index = new NearDuplicateIndex();
		index.add('a', ['The lamp is lit.']);
		index.add('b', ['the LAMP is lit']);
		index.add('c', ['Hi']);
		index.add('d', ['hi!']);
		index.add('e', ['']);
		expect(index.size).toBe(4);
		expect(index.groups().map((g) => g.members.map((m) => m.id))).toEqual([
			['a', 'b'],
			['c', 'd']
		]);
	});

	it('chooses banding that favours recall at the threshold', () => {
		const { bands, rows } = chooseBanding(0.8, 64);
		expect(bands * rows).toBeLessThanOrEqual(64);
		const recallAt = (s: number) => 1 - Math.pow(1 - Math.pow(s, rows), bands);
		expect(recallAt(0.85)).toBeGreaterThan(0.95);
		expect(recallAt(0.3)).toBeLessThan(0.1);
	});

	it('rejects signature sizes that are not powers of two', () => {
		expect(() => new MinHasher(100)).toThrow(RangeError);
	});

	it('reports near-duplicates (not exact ones) through the dataset rule', () => {
		const a = chat('Tell me about the lighthouse at North Point and its keeper.', 'It was built in 1868 from granite quarried on the island, and Mara has kept it for twenty years.');
		const b = chat('Tell me about the lighthouse at North Point and its keeper!', 'It was built in 1868 from granite quarried on the island, and Mara has kept it for twenty years now.');
		const exact = { ...a, id: 'exact-copy' };
		// Off in the built-in profiles (see profiles.ts): switched on as a custom profile would.
		const withNearDuplicates = resolveProfile(BUILTIN_PROFILES['openai-chat'], { rules: { 'near-duplicate': { enabled: true } } });
		const { findings } = validateDataset([a, b, exact], withNearDuplicates);
		expect(findings.filter((f) => f.rule === 'near-duplicate').map((f) => f.entryId)).toEqual([b.id]);
		expect(findings.filter((f) => f.rule === 'exact-duplicate').map((f) => f.entryId)).toEqual(['exact-copy']);
	});

	it('indexes 10,000 entries of 3–6 messages quickly (timing printed)', () => {
		const gen = generator(7);
		const n = 10_000;
		const docs: string[][] = [];
		for (let i = 0; i < n; i++) {
			if (i % 100 === 99) {
				const copy = docs[i - 50].map((t) => t.replace(/^\S+/, 'changed'));
				docs.push(copy);
			} else docs.push(Array.from({ length: 3 + Math.floor(gen.random() * 4) }, () => gen.text(40 + Math.floor(gen.random() * 200))));
		}
		const started = performance.now();
		const index = new NearDuplicateIndex();
		docs.forEach((texts, i) => index.add(`e${i}`, texts));
		const groups = index.groups();
		const elapsed = performance.now() - started;
		console.log(`near-duplicates: ${n} entries in ${elapsed.toFixed(0)} ms, ${groups.length} groups`);
		expect(groups.length).toBeGreaterThanOrEqual(95);
		expect(groups.length).toBeLessThanOrEqual(100);
		expect(elapsed).toBeLessThan(5_000);
	});
});
