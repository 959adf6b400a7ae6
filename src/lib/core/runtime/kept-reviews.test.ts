import { describe, expect, it } from 'vitest';
import type { RunSampleRow } from '../contracts/rows';
import { keepReviews } from './kept-reviews';

function fact(sampleIndex: number, content: string, review: RunSampleRow['review'] = 'pending', extra: Partial<RunSampleRow> = {}): RunSampleRow {
	return {
		id: `facts-run:2:${sampleIndex}`,
		runId: 'facts-run',
		recordIndex: 2,
		sampleIndex,
		sample: { messages: [{ role: 'assistant', content }], tags: ['fact'], meta: { fact: content, passageIndex: 2 } },
		review,
		createdAt: sampleIndex,
		...extra
	};
}

describe('keepReviews', () => {
	it('gives a new sample with the same messages the review, edit and destination of the old one', () => {
		const old = [
			fact(0, 'Tidewatch reads the tide tables at five.', 'accepted', { edited: [{ role: 'assistant', content: 'Tidewatch reads the tide tables every morning at five.' }] }),
			fact(1, 'Tidewatch posts the berth list by six.', 'rejected'),
			fact(2, 'Tidewatch was built in 2026.', 'accepted', { acceptedInto: { datasetId: 'd1', entryId: 'e9', at: 5 } })
		];
		// The answer came back in another order, one fact reworded, with new tags and meta.
		const fresh = [
			fact(0, 'Tidewatch was built in 2026.', 'pending', { createdAt: 100, sample: { messages: [{ role: 'assistant', content: 'Tidewatch was built in 2026.' }], tags: ['fact', 'rehearsal'], meta: { passageIndex: 3 } } }),
			fact(1, 'Tidewatch reads the tide tables at five.', 'pending', { createdAt: 100 }),
			fact(2, 'Tidewatch posts the berth list by seven.', 'pending', { createdAt: 100 })
		];
		const kept = keepReviews(old, fresh);
		expect(kept.map((row) => [row.id, row.review, row.edited?.[0].content ?? null, row.acceptedInto?.entryId ?? null])).toEqual([
			['facts-run:2:0', 'accepted', null, 'e9'],
			['facts-run:2:1', 'accepted', 'Tidewatch reads the tide tables every morning at five.', null],
			['facts-run:2:2', 'pending', null, null]
		]);
		// The new sample's own content, tags and meta stay.
		expect(kept[0].sample.tags).toEqual(['fact', 'rehearsal']);
		expect(kept[0].createdAt).toBe(100);
	});

	it('matches one for one, and compares every message (a changed system prompt is another sample)', () => {
		const qa = (system: string, review: RunSampleRow['review']): RunSampleRow => ({
			...fact(0, '', review),
			sample: {
				messages: [
					{ role: 'system', content: system },
					{ role: 'user', content: 'Who are you?' },
					{ role: 'assistant', content: 'The harbour-master assistant.' }
				],
				tags: [],
				meta: {}
			}
		});
		expect(keepReviews([qa('I am Tidewatch.', 'accepted')], [qa('I am Tidewatch of Lowmarsh.', 'pending')])[0].review).toBe('pending');
		const twice = keepReviews([fact(0, 'Same.', 'rejected')], [fact(0, 'Same.'), fact(1, 'Same.')]);
		expect(twice.map((row) => row.review)).toEqual(['rejected', 'pending']);
		expect(keepReviews([], [fact(0, 'New.')])).toEqual([fact(0, 'New.')]);
	});
});
