import { describe, expect, it } from 'vitest';
import { composeApi } from './compose-api';

describe('composeApi', () => {
	it('keeps every method of every part, callable and typed', async () => {
		const greetings = { greet: (name: string) => `Hello, ${name}` };
		const counts = { count: async (n: number) => n + 1, reset: () => 0 };
		const api = composeApi(greetings, counts);
		expect(Object.keys(api).sort()).toEqual(['count', 'greet', 'reset']);
		expect(api.greet('Mara')).toBe('Hello, Mara');
		expect(await api.count(41)).toBe(42);
		expect(api.reset()).toBe(0);
		// Nothing can be added or replaced later.
		expect(Object.isFrozen(api)).toBe(true);
	});

	it('refuses a duplicate method name, naming it and the two parts', () => {
		const first = { search: () => 'one', getPage: () => [] };
		const second = { listRuns: () => [] };
		const third = { search: () => 'two' };
		// @ts-expect-error -- the types already show "search" twice
		expect(() => composeApi(first, second, third)).toThrow(/"search" is defined twice \(by parts 1 and 3\)/);
	});

	it('refuses a part member that is not a method', () => {
		const broken = { version: 3 } as unknown as { version: () => void };
		expect(() => composeApi({ ping: () => 'pong' }, broken)).toThrow(/"version" \(part 2\) is not a method/);
	});

	it('composes nothing into an empty API', () => {
		expect(Object.keys(composeApi())).toEqual([]);
	});
});
