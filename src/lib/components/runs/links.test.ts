import { describe, expect, it } from 'vitest';
import { newRunQuery } from './links';

describe('newRunQuery', () => {
	it('leaves out empty values and encodes the rest', () => {
		expect(newRunQuery({ recipe: 'identity-qa', identity: 'id 1&2', facts: 'run-9', sheet: '' })).toBe('?recipe=identity-qa&identity=id%201%262&facts=run-9');
		expect(newRunQuery({})).toBe('');
	});
});
