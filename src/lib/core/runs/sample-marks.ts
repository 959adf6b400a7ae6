/**
 * What review shows of each sample besides its messages: its grounding score against the text its
 * record must be traceable to (a chunk's document), whether nothing in it comes from that text, a
 * duplicate / near-duplicate mark for its prompt, and its reply's length. Pure: the run service
 * computes the marks when it lists a run's samples (thousands at once), the review queue filters
 * and sorts by them.
 *
 * The duplicate mark is per record (a chunk), as the run view's "Duplicate prompts" figure counts
 * them: 'exact' when the prompt repeats an earlier sample's of the record (case and spacing aside),
 * 'near' when its word 2-shingles overlap an earlier one's by Jaccard ≥ 0.8.
 */
import type { ChatMessage } from '../contracts/engine';
import { nearDuplicateOf, sampleGrounding } from '../recipes/chunk-figures';
import { promptKey } from '../recipes/chunk-stats';

export interface SampleMarks {
	/** Share (0–1) of the reply's content words found in the record's source; null: no source, or no content word. */
	grounding: number | null;
	/** The source supports the reply (grounding ≥ GROUNDED_AT, or no content word); null without a source. */
	grounded: boolean | null;
	/** The reply has content words and none of them is in the source. */
	nothingFromSource: boolean;
	duplicate: 'exact' | 'near' | null;
	/** Characters of the last assistant reply. */
	length: number;
}

export interface MarkableSample {
	recordIndex: number;
	messages: readonly ChatMessage[];
}

function promptOf(messages: readonly ChatMessage[]): string {
	return messages.find((message) => message.role === 'user')?.content ?? '';
}

function replyOf(messages: readonly ChatMessage[]): string {
	for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'assistant') return messages[i].content;
	return '';
}

/** Marks for each sample, in order; `sourceOf` gives a record's source (undefined: none). */
export function markSamples(samples: readonly MarkableSample[], sourceOf: (recordIndex: number) => { text: string; ignore?: readonly string[] } | undefined): SampleMarks[] {
	const marks: SampleMarks[] = samples.map((sample) => {
		const reply = replyOf(sample.messages);
		const source = sourceOf(sample.recordIndex);
		const grounding = source ? sampleGrounding(reply, source.text, source.ignore ?? []) : null;
		return { grounding: grounding?.score ?? null, grounded: grounding ? grounding.grounded : null, nothingFromSource: grounding?.nothing ?? false, duplicate: null, length: reply.length };
	});
	const byRecord = new Map<number, number[]>();
	samples.forEach((sample, i) => byRecord.set(sample.recordIndex, [...(byRecord.get(sample.recordIndex) ?? []), i]));
	for (const indexes of byRecord.values()) {
		const prompts = indexes.map((i) => promptOf(samples[i].messages));
		const seen = new Set<string>();
		const unique: number[] = [];
		prompts.forEach((prompt, k) => {
			const key = promptKey(prompt);
			if (key && seen.has(key)) marks[indexes[k]].duplicate = 'exact';
			else {
				seen.add(key);
				unique.push(k);
			}
		});
		const near = nearDuplicateOf(unique.map((k) => prompts[k]));
		near.forEach((at, u) => {
			if (at >= 0) marks[indexes[unique[u]]].duplicate = 'near';
		});
	}
	return marks;
}
