/** Seeds as web-llm 0.2.86's own sampler generator takes them (its LinearCongruentialGenerator). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryRequest } from '$lib/core/recipes/chunked';
import { webllmSeed } from '$lib/engines/webllm/request';
import { webllmInternals, type RandomGeneratorLike } from './webllm-internals';

async function generator(): Promise<() => RandomGeneratorLike> {
	const { LinearCongruentialGenerator } = await webllmInternals();
	return () => new LinearCongruentialGenerator();
}

describe('seeds through web-llm’s generator', () => {
	it('the defect: a raw negative seed makes web-llm throw on every request, small seeds draw near 0, 0 and 2^31 − 1 coincide', async () => {
		const make = await generator();
		const raw = make();
		expect(() => raw.setSeed(-7)).toThrow('Random state is unexpectedly not strictly positive.');
		// A chunked retry of a large seed wraps negative: (seed + k) | 0.
		const wrapped = retryRequest({ messages: [], sampling: { max_tokens: 1, seed: 2 ** 31 - 1 } }, 2).sampling.seed as number;
		expect(wrapped).toBeLessThan(0);
		expect(() => make().setSeed(wrapped)).toThrow(/not strictly positive/);
		const fortyTwo = make();
		fortyTwo.setSeed(42);
		expect(fortyTwo.randomFloat()).toBeLessThan(0.001);
		const zero = make();
		zero.setSeed(0);
		const top = make();
		top.setSeed(2 ** 31 - 1);
		expect(zero.nextInt()).toBe(top.nextInt());
	});

	it('every integer seed, mapped, is one web-llm accepts and draws from without error', async () => {
		const make = await generator();
		const edge = [0, 1, -1, 42, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
		const check = (seed: number) => {
			const rng = make();
			rng.setSeed(webllmSeed(seed));
			for (let i = 0; i < 50; i++) {
				const draw = rng.randomFloat();
				if (!(draw > 0 && draw < 1)) throw new Error(`seed ${seed}: draw ${draw}`);
			}
		};
		for (const seed of edge) check(seed);
		fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 })), (seed) => check(seed)), { numRuns: 2000 });
		// And every retry seed the chunked recipe derives.
		for (const seed of [2 ** 31 - 1, 2 ** 31 - 2, -5, 42]) for (let attempt = 1; attempt <= 11; attempt++) check(retryRequest({ messages: [], sampling: { max_tokens: 1, seed } }, attempt).sampling.seed as number);
	});

	it('adjacent seeds give unrelated first draws, spread over [0, 1)', async () => {
		const make = await generator();
		const firsts = Array.from({ length: 1000 }, (_, seed) => {
			const rng = make();
			rng.setSeed(webllmSeed(seed));
			return rng.randomFloat();
		});
		const deciles = Array.from({ length: 10 }, (_, decile) => firsts.filter((draw) => Math.floor(draw * 10) === decile).length);
		// Uniform would be 100 each; unmapped seeds 0..999 would all fall in the first decile.
		for (const count of deciles) expect(count).toBeGreaterThan(60);
		for (const count of deciles) expect(count).toBeLessThan(140);
		const tiny = firsts.filter((draw) => draw < 0.01).length;
		expect(tiny).toBeLessThan(30);
	});
});
