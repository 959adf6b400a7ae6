/**
 * Exact duplicates are the same messages *and* the same tools: a conversation offered a weather
 * tool and the same conversation offered a calendar tool teach different things.
 */
import { describe, expect, it } from 'vitest';
import { planExactDuplicateRemoval } from '../repairs/duplicates';
import { createValidationContext } from './context';
import { exactDuplicate } from './rules/duplicates';
import { chat } from './testing';
import type { Entry } from '../model';

const weather = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const calendar = [{ type: 'function', function: { name: 'add_event', parameters: { type: 'object', properties: { date: { type: 'string' } } } } }];

function withTools(id: string, tools: unknown): Entry {
	const entry = chat('Plan my Saturday.', 'Sure: a walk in the morning, a film at night.');
	return { ...entry, id, extra: tools === undefined ? {} : { tools } };
}

function duplicates(entries: Entry[]): string[] {
	const pass = exactDuplicate.begin(createValidationContext());
	for (const entry of entries) pass.add(entry);
	return pass.end().map((finding) => `${finding.entryId}: ${finding.message}`);
}

describe('exact-duplicate and tools', () => {
	it('entries that differ only in tools are not duplicates', () => {
		expect(duplicates([withTools('a', weather), withTools('b', calendar), withTools('c', undefined)])).toEqual([]);
		expect(planExactDuplicateRemoval([withTools('a', weather), withTools('b', calendar)]).deleteIds).toEqual([]);
	});

	it('the same messages with the same tools are duplicates, whether the tools are a list or its JSON text', () => {
		expect(duplicates([withTools('a', weather), withTools('b', structuredClone(weather)), withTools('c', JSON.stringify(weather))])).toEqual([
			'b: Same messages and tools as entry a.',
			'c: Same messages and tools as entry a.'
		]);
		expect(planExactDuplicateRemoval([withTools('a', weather), withTools('b', JSON.stringify(weather))]).deleteIds).toEqual(['b']);
	});

	it('no tools and an empty tools list are the same', () => {
		expect(duplicates([withTools('a', undefined), withTools('b', []), withTools('c', '[]')])).toEqual([
			'b: Same messages as entry a.',
			'c: Same messages as entry a.'
		]);
	});
});
