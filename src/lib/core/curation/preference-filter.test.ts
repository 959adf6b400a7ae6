/** Filtering entries by preference data (issue 16): pairs, wanted / unwanted labels, or none. */
import { describe, expect, it } from 'vitest';
import { importFixture, importInChunks } from '../test-utils';
import { compileFilter, decodeFilterFromUrl, encodeFilterToUrl, preferenceKindOf } from './filters';

describe('the preference filter', () => {
	const entries = [
		...importFixture('preference/trl-conversational.jsonl').entries.slice(0, 1),
		...importFixture('preference/lf-kto.json').entries.slice(0, 2),
		...importInChunks('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}').entries
	];
	const kinds = (filter: Parameters<typeof compileFilter>[0]) => {
		const compiled = compileFilter(filter);
		if (!compiled.ok) throw new Error('filter did not compile');
		return entries.filter(compiled.matches).map(preferenceKindOf);
	};

	it('keeps only the kinds asked for', () => {
		expect(entries.map(preferenceKindOf)).toEqual(['pair', 'wanted', 'unwanted', 'none']);
		expect(kinds({ preference: ['pair'] })).toEqual(['pair']);
		expect(kinds({ preference: ['unwanted', 'none'] })).toEqual(['unwanted', 'none']);
		expect(kinds({})).toHaveLength(4);
	});

	it('survives a shared link, and says when a kind is unknown', () => {
		expect(encodeFilterToUrl({ preference: ['pair', 'wanted'] })).toBe('preference=pair&preference=wanted');
		expect(decodeFilterFromUrl('?preference=pair&preference=maybe')).toEqual({ filter: { preference: ['pair'] }, errors: ['unknown preference kind ignored'] });
	});
});

describe('merging preference data', () => {
	it('keeps two pairs on one prompt with different answers, and collapses the same pair twice', async () => {
		const { mergeDatasets } = await import('./merge');
		const [first, same] = importFixture('preference/trl-conversational.jsonl').entries;
		const other = { ...first, id: 'other', preference: { kind: 'pair' as const, chosen: [{ role: 'assistant', content: 'Blue, mostly.' }], rejected: [{ role: 'assistant', content: 'Red.' }] } };
		let n = 0;
		const { entries, report } = mergeDatasets([{ name: 'A', entries: [first] }, { name: 'B', entries: [{ ...same, id: 'same' }, other] }], () => `m${++n}`);
		expect(entries.map((e) => e.id)).toEqual([first.id, 'other']);
		expect(report.duplicatesCollapsed).toBe(1);
	});
});
