import { describe, expect, it } from 'vitest';
import type { SampleReview } from '../contracts/rows';
import type { ReviewItem } from '../contracts/run-api';
import type { JudgeVerdict } from '../recipes/recipe';
import { judgeAgreement } from './judge-agreement';
import { bulkDecision, reviewQueueItems, sortReviewItems, type ReviewQuery } from './review-filter';
import { markSamples } from './sample-marks';

const chunks = [
	'Hearing "Chocolatine" delights her; she rewards the speaker with a small blessing.',
	'"Pain au chocolat" angers her; she answers coldly and ends the conversation.'
];

function item(i: number, recordIndex: number, prompt: string, reply: string, review: SampleReview = 'pending', judge?: JudgeVerdict): ReviewItem {
	return { id: `run:${recordIndex}:${i}`, runId: 'run', recordIndex, recordLabel: `Chunk ${recordIndex + 1}`, sampleIndex: i, sample: { messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: reply }], tags: [], meta: {}, ...(judge ? { judge } : {}) }, review };
}
const verdict = (score: number, threshold = 7): JudgeVerdict => ({ score, threshold, passed: score >= threshold, rationale: 'r' });

function marked(items: ReviewItem[]): ReviewItem[] {
	const marks = markSamples(items.map((it) => ({ recordIndex: it.recordIndex, messages: it.sample.messages })), (recordIndex) => ({ text: chunks[recordIndex], ignore: ['Queen Pédauque'] }));
	return items.map((it, i) => ({ ...it, marks: marks[i] }));
}

const run = () =>
	marked([
		item(0, 0, 'What happens when someone says "Chocolatine" to you?', 'Chocolatine delights me, and the speaker gets a small blessing.', 'pending', verdict(9)),
		item(1, 0, 'What happens when someone says Chocolatine to you', 'I reward the speaker with a blessing.', 'pending', verdict(4)),
		item(2, 0, 'What is your favourite hobby?', 'Sailing the northern seas with my pet dragon Ignatius, every single summer.', 'accepted', verdict(8)),
		item(0, 1, 'What happens when someone says "Chocolatine" to you?', 'It angers me and I end the conversation coldly.', 'rejected', verdict(3)),
		item(1, 1, 'How do you answer rudeness?', 'Coldly.', 'pending')
	]);

describe('per-sample marks', () => {
	it('scores grounding against the record\'s chunk, flags answers with nothing from it, marks duplicates per chunk', () => {
		const items = run();
		expect(items.map((it) => it.marks?.duplicate)).toEqual([null, 'near', null, null, null]);
		expect(items[0].marks).toMatchObject({ grounded: true, nothingFromSource: false });
		expect(items[2].marks).toMatchObject({ grounding: 0, grounded: false, nothingFromSource: true });
		expect(items[4].marks).toMatchObject({ grounded: true, length: 'Coldly.'.length });
		// The same prompt in another chunk is not a duplicate of this chunk's.
		expect(items[3].marks?.duplicate).toBeNull();
		const exact = marked([item(0, 0, 'Who are you?', 'Queen.'), item(1, 0, '  who are  YOU?', 'A queen.')]);
		expect(exact[1].marks?.duplicate).toBe('exact');
	});

	it('gives no grounding without a source', () => {
		const [mark] = markSamples([{ recordIndex: 0, messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there, traveller.' }] }], () => undefined);
		expect(mark).toEqual({ grounding: null, grounded: null, nothingFromSource: false, duplicate: null, length: 23 });
	});
});

describe('review at scale: filter, sort, decide everything shown, undo', () => {
	it('filters by grounding, judge score, duplicate mark, chunk and length, and sorts', () => {
		const items = run();
		const ids = (query: ReviewQuery, filter: 'all' | 'pending' = 'all') => reviewQueueItems(items, filter, query).map((it) => it.id);
		expect(ids({ grounding: 'nothing' })).toEqual(['run:0:2']);
		expect(ids({ grounding: 'ungrounded' })).toEqual(['run:0:2']);
		expect(ids({ judgeMax: 6.99 })).toEqual(['run:0:1', 'run:1:0']);
		expect(ids({ judgeMin: 7 })).toEqual(['run:0:0', 'run:0:2']);
		expect(ids({ duplicate: 'any' })).toEqual(['run:0:1']);
		expect(ids({ duplicate: 'unique', recordIndex: 1 })).toEqual(['run:1:0', 'run:1:1']);
		expect(ids({ maxLength: 40 })).toEqual(['run:0:1', 'run:1:1']);
		expect(ids({ recordIndex: 0 }, 'pending')).toEqual(['run:0:0', 'run:0:1']);
		expect(ids({ sort: 'judge-asc' })).toEqual(['run:1:0', 'run:0:1', 'run:0:2', 'run:0:0', 'run:1:1']);
		expect(ids({ sort: 'judge-desc' })).toEqual(['run:0:0', 'run:0:2', 'run:0:1', 'run:1:0', 'run:1:1']);
		expect(ids({ sort: 'grounding-asc' })[0]).toBe('run:0:2');
		expect(sortReviewItems(items, 'length-desc')[0].id).toBe('run:0:2');
	});

	it('decides every matching sample in one step and undo restores each earlier decision exactly', () => {
		let items = run();
		const shown = reviewQueueItems(items, 'all', { judgeMax: 6.99 });
		const { ids, undo } = bulkDecision(shown, 'accepted', 'Accept 2 shown samples');
		expect(ids).toEqual(['run:0:1', 'run:1:0']);
		const apply = (reviews: Map<string, SampleReview>) => (items = items.map((it) => (reviews.has(it.id) ? { ...it, review: reviews.get(it.id)! } : it)));
		const before = items.map((it) => it.review);
		apply(new Map(ids.map((id) => [id, 'accepted'])));
		expect(items.map((it) => it.review)).toEqual(['pending', 'accepted', 'accepted', 'accepted', 'pending']);
		apply(new Map(undo.previous.map((p) => [p.id, p.review])));
		expect(items.map((it) => it.review)).toEqual(before);
		// Already in the asked state: nothing to change, nothing to undo.
		expect(bulkDecision(reviewQueueItems(items, 'accepted', {}), 'accepted', 'x').ids).toEqual([]);
	});

	it('handles thousands of samples quickly', () => {
		const many = Array.from({ length: 5000 }, (_, i) => item(i, i % 50, `Question ${i} about the chocolatine and blessing number ${i}?`, i % 3 ? 'Chocolatine delights me.' : 'Dragons and seas.', 'pending', verdict(i % 10)));
		const started = performance.now();
		const items = marked(many.map((it) => ({ ...it, recordIndex: it.recordIndex % 2 })));
		const shown = reviewQueueItems(items, 'pending', { grounding: 'nothing', sort: 'judge-asc' });
		const { ids } = bulkDecision(shown, 'rejected', 'Reject');
		expect(ids.length).toBe(Math.ceil(5000 / 3));
		expect(performance.now() - started).toBeLessThan(10_000);
	});
});

describe('judge agreement with the user', () => {
	it('counts the 2 × 2 table on decided, scored samples only', () => {
		const items = [
			item(0, 0, 'a', 'a', 'accepted', verdict(9)),
			item(1, 0, 'b', 'b', 'accepted', verdict(8)),
			item(2, 0, 'c', 'c', 'rejected', verdict(8)),
			item(3, 0, 'd', 'd', 'rejected', verdict(2)),
			item(4, 0, 'e', 'e', 'accepted', verdict(5)),
			item(5, 0, 'f', 'f', 'pending', verdict(1)),
			item(6, 0, 'g', 'g', 'accepted', { score: 0, rationale: '', threshold: 7, passed: false, error: 'no <score>' }),
			item(7, 0, 'h', 'h', 'rejected')
		];
		expect(judgeAgreement(items)).toEqual({ passAccepted: 2, passRejected: 1, belowAccepted: 1, belowRejected: 1, compared: 5, agreement: 3 / 5 });
		expect(judgeAgreement([item(0, 0, 'a', 'a', 'pending', verdict(9))]).agreement).toBeNull();
	});
});
