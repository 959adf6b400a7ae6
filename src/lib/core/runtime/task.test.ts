import { describe, expect, it } from 'vitest';
import { TestEngine } from '../../engines/test-engine';
import { VirtualClock } from './clock';
import { dispatch, type InputRecord } from './dispatcher';
import { ask, recordRandom, replayTask, seededRandom, type Task } from './task';

/** Draws three numbers from the record's random, asks once, and returns the numbers. */
const drawing: Task<string, number[]> = async function* (input, context) {
	const drawn = [context.random(), context.random(), context.random()];
	yield* ask({ messages: [{ role: 'user', content: input }], sampling: { max_tokens: 8 } });
	return [drawn];
};

const records = (ids: string[]): InputRecord<string>[] => ids.map((id) => ({ id, input: `about ${id}` }));

async function drawsOf(task: Task<string, number[]>, ids: string[], seed: number | undefined): Promise<Map<string, number[]>> {
	const result = await dispatch(records(ids), { recipeId: 'draws', engine: new TestEngine(), task, clock: new VirtualClock(), ...(seed !== undefined ? { seed } : {}) });
	return new Map(result.samples.map((sample) => [sample.provenance.recordId, sample.sample]));
}

const three = (random: () => number) => [random(), random(), random()];

describe('recordRandom: one per-record seeding formula', () => {
	it('is the seeded random of (seed, position): the same sequence every time, another one elsewhere', () => {
		expect(three(recordRandom(7, 2))).toEqual(three(recordRandom(7, 2)));
		expect(three(recordRandom(7, 2))).not.toEqual(three(recordRandom(7, 3)));
		expect(three(recordRandom(7, 2))).not.toEqual(three(recordRandom(8, 2)));
		// No seed counts as seed 0.
		expect(three(recordRandom(undefined, 1))).toEqual(three(recordRandom(0, 1)));
		expect(three(recordRandom(0, 0))).toEqual(three(seededRandom(0 ^ Math.imul(1, 0x9e3779b1))));
	});

	it('gives every record of a dispatcher the random of its position', async () => {
		const draws = await drawsOf(drawing, ['a', 'b', 'c'], 7);
		expect(draws.get('a')).toEqual(three(recordRandom(7, 0)));
		expect(draws.get('b')).toEqual(three(recordRandom(7, 1)));
		expect(draws.get('c')).toEqual(three(recordRandom(7, 2)));
		expect((await drawsOf(drawing, ['a'], undefined)).get('a')).toEqual(three(recordRandom(0, 0)));
	});

	it('gives a record moved by a re-run (replayTask) the same sequence as the dispatcher gave it at its first position', async () => {
		const first = await drawsOf(drawing, ['a', 'b', 'c'], 11);
		// A record added in front moves every record one place down; each keeps its first position's random.
		const moved = replayTask(drawing, { seed: 11, skip: new Set(), seedIndexes: new Map([['a', 0], ['b', 1], ['c', 2]]) });
		const again = await drawsOf(moved, ['new', 'a', 'b', 'c'], 11);
		expect(again.get('a')).toEqual(first.get('a'));
		expect(again.get('b')).toEqual(first.get('b'));
		expect(again.get('c')).toEqual(first.get('c'));
		expect(again.get('new')).toEqual(three(recordRandom(11, 0)));
	});

	it('passes over skipped records without asking anything', async () => {
		const engine = new TestEngine();
		const task = replayTask(drawing, { seed: 3, skip: new Set(['b']), seedIndexes: new Map() });
		const result = await dispatch(records(['a', 'b', 'c']), { recipeId: 'draws', engine, task, clock: new VirtualClock(), seed: 3 });
		expect(engine.requests.map((request) => request.messages[0].content)).toEqual(['about a', 'about c']);
		expect(result.samples.map((sample) => sample.provenance.recordId)).toEqual(['a', 'c']);
		expect(result.counts).toMatchObject({ done: 3, failed: 0 });
	});
});
