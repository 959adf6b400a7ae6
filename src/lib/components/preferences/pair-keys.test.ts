import { describe, expect, it } from 'vitest';
import { pairKeyAction } from './pair-keys';

const key = (k: string, extra: Partial<{ ctrlKey: boolean; inField: boolean }> = {}) => pairKeyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, inField: false, ...extra });

describe('pair review keys', () => {
	it('J/↓ next, K/↑ previous, S swap, X/Delete drop; nothing in a field or with a modifier', () => {
		expect(['j', 'ArrowDown', 'K', 'ArrowUp', 's', 'X', 'Delete', 'a'].map((k) => key(k))).toEqual(['next', 'next', 'previous', 'previous', 'swap', 'drop', 'drop', null]);
		expect(key('s', { inField: true })).toBeNull();
		expect(key('s', { ctrlKey: true })).toBeNull();
	});
});
