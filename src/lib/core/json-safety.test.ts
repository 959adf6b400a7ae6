import { describe, expect, it } from 'vitest';
import { describeJsonType, excerptOf, exceedsDepth, jsonErrorMessage, omitKeys } from './json-safety';

describe('exceedsDepth', () => {
	it('counts the root as level 1', () => {
		expect(exceedsDepth({ a: [1] }, 2)).toBe(false);
		expect(exceedsDepth({ a: [[1]] }, 2)).toBe(true);
		expect(exceedsDepth('text', 0)).toBe(false);
	});

	it('walks 100,000 levels without recursion', () => {
		const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
		expect(exceedsDepth(deep)).toBe(true);
		expect(exceedsDepth(deep, 100_001)).toBe(false);
	});
});

describe('omitKeys', () => {
	it('copies own keys, __proto__ included, without touching prototypes', () => {
		const record = JSON.parse('{"messages": 1, "__proto__": {"polluted": true}, "constructor": 2}');
		const copy = omitKeys(record, new Set(['messages']));
		expect(Object.keys(copy)).toEqual(['__proto__', 'constructor']);
		expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
		expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
		expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
	});
});

describe('messages', () => {
	it('describe types and shorten excerpts and parse errors', () => {
		expect([null, [], 'a', 1, true, {}].map(describeJsonType)).toEqual(['null', 'a list', 'a string', 'a number', 'a boolean', 'an object']);
		expect(excerptOf('a\r\nb\tc')).toBe('a b c');
		expect(excerptOf('x'.repeat(300))).toHaveLength(121);
		let error: unknown;
		try {
			JSON.parse('{"a": x}');
		} catch (e) {
			error = e;
		}
		expect(jsonErrorMessage(error)).not.toContain('is not valid JSON');
	});
});
