/**
 * Pairs and labels from a run's samples (issue 16):
 * - regeneration: a continuation run in regenerate mode keeps, per sample, the turns it replaced
 *   (`meta.replaced`). An accepted sample's new turn is chosen over the one it replaced; a
 *   rejected sample's old turn is chosen over the new one. Samples not yet reviewed are skipped.
 * - judge: among the judged samples of one record (best-of-N), the best score is chosen over the
 *   worst when they are at least `margin` apart; ties are skipped.
 * - review: each accepted sample of a record over each rejected sample of the same record.
 * - kto: each accepted sample is a wanted completion (label true), each rejected one unwanted.
 * The prompt is what two samples share up to the last user turn before they differ (diverge).
 */
import type { DraftSample } from '../recipes/recipe';
import type { SampleReview } from '../contracts/rows';
import type { Message } from '../model';
import { diverge, plainMessages, skip, type DraftBuild, type LabelDraft, type PairDraft, type PreferenceDraft, type SkipCounts } from './drafts';

/** A run sample as the builder reads it (a review item: the reviewer's edit wins over the sample). */
export interface SampleForPairs {
	id: string;
	recordIndex: number;
	sampleIndex: number;
	recordLabel: string;
	sample: Pick<DraftSample, 'messages' | 'meta' | 'judge'>;
	review: SampleReview;
	edited?: DraftSample['messages'];
}

export type SampleSource = 'regeneration' | 'judge' | 'review' | 'kto';

export interface SamplePairOptions {
	/** judge: the smallest score difference between best and worst (on the judge's scale; > 0). */
	margin?: number;
}

export const DEFAULT_JUDGE_MARGIN = 1;

const messagesOf = (item: SampleForPairs): Message[] => plainMessages(item.edited?.length ? item.edited : item.sample.messages);

function byRecord(items: readonly SampleForPairs[]): SampleForPairs[][] {
	const groups = new Map<number, SampleForPairs[]>();
	for (const item of items) {
		const group = groups.get(item.recordIndex);
		if (group) group.push(item);
		else groups.set(item.recordIndex, [item]);
	}
	return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group.sort((a, b) => a.sampleIndex - b.sampleIndex));
}

function pairOf(key: string, origin: PairDraft['origin'], chosen: SampleForPairs, rejected: SampleForPairs, source: string, skipped: SkipCounts, extra: Record<string, unknown> = {}): PairDraft | null {
	const split = diverge(messagesOf(chosen), messagesOf(rejected));
	if (!split.ok) {
		skip(skipped, split.reason);
		return null;
	}
	return { kind: 'pair', key, origin, prompt: split.prompt, chosen: split.a, rejected: split.b, source, provenance: { recordIndex: chosen.recordIndex, chosenSample: chosen.id, rejectedSample: rejected.id, ...extra } };
}

function regenerationPairs(items: readonly SampleForPairs[]): DraftBuild {
	const drafts: PreferenceDraft[] = [];
	const skipped: SkipCounts = {};
	for (const item of items) {
		const replaced = item.sample.meta.replaced;
		if (item.sample.meta.mode !== 'regenerate' || !Array.isArray(replaced) || !replaced.length) continue;
		if (item.review === 'pending') {
			skip(skipped, 'regenerated sample not reviewed yet', replaced.length);
			continue;
		}
		const messages = messagesOf(item);
		const assistantAt = messages.flatMap((message, index) => (message.role === 'assistant' ? [index] : []));
		for (const entry of replaced as { turn?: unknown; before?: unknown }[]) {
			const turn = Number(entry.turn);
			const at = assistantAt[turn - 1];
			if (!Number.isInteger(turn) || at === undefined || typeof entry.before !== 'string') {
				skip(skipped, 'regenerated turn not found in the sample');
				continue;
			}
			const prompt = messages.slice(0, at);
			if (prompt[prompt.length - 1]?.role !== 'user') {
				skip(skipped, 'regenerated turn not after a user turn');
				continue;
			}
			const now = String(messages[at].content);
			if (now.trim() === entry.before.trim()) {
				skip(skipped, 'the two answers are identical');
				continue;
			}
			const fresh: Message = { role: 'assistant', content: now };
			const old: Message = { role: 'assistant', content: entry.before };
			const accepted = item.review === 'accepted';
			drafts.push({
				kind: 'pair',
				key: `regeneration:${item.id}:${turn}`,
				origin: 'regeneration',
				prompt,
				chosen: [accepted ? fresh : old],
				rejected: [accepted ? old : fresh],
				source: `${item.recordLabel}, assistant turn ${turn}: ${accepted ? 'accepted regeneration vs the replaced turn' : 'replaced turn vs the rejected regeneration'}`,
				provenance: { recordIndex: item.recordIndex, sample: item.id, turn, chosenIs: accepted ? 'regenerated' : 'original' }
			});
		}
	}
	return { drafts, skipped };
}

function judgePairs(items: readonly SampleForPairs[], margin: number): DraftBuild {
	const drafts: PreferenceDraft[] = [];
	const skipped: SkipCounts = {};
	for (const group of byRecord(items)) {
		const judged = group.filter((item) => item.sample.judge && !item.sample.judge.error);
		if (judged.length < 2) {
			if (group.length >= 2) skip(skipped, 'record with fewer than two judged samples');
			continue;
		}
		// Best first; among equal scores the earlier sample.
		const ranked = [...judged].sort((a, b) => (b.sample.judge?.score ?? 0) - (a.sample.judge?.score ?? 0) || a.sampleIndex - b.sampleIndex);
		const best = ranked[0];
		const worst = ranked[ranked.length - 1];
		const high = best.sample.judge?.score ?? 0;
		const low = worst.sample.judge?.score ?? 0;
		if (high === low) {
			skip(skipped, 'all judge scores of the record tie');
			continue;
		}
		if (high - low < margin) {
			skip(skipped, `best and worst score less than ${margin} apart`);
			continue;
		}
		const pair = pairOf(`judge:${best.id}:${worst.id}`, 'judge', best, worst, `${best.recordLabel}: judge score ${high} vs ${low}`, skipped, { chosenScore: high, rejectedScore: low });
		if (pair) drafts.push(pair);
	}
	return { drafts, skipped };
}

function reviewPairs(items: readonly SampleForPairs[]): DraftBuild {
	const drafts: PreferenceDraft[] = [];
	const skipped: SkipCounts = {};
	for (const group of byRecord(items)) {
		const accepted = group.filter((item) => item.review === 'accepted');
		const rejected = group.filter((item) => item.review === 'rejected');
		if (!accepted.length || !rejected.length) {
			if (group.length >= 2) skip(skipped, 'record without both an accepted and a rejected sample');
			continue;
		}
		for (const chosen of accepted)
			for (const other of rejected) {
				const pair = pairOf(`review:${chosen.id}:${other.id}`, 'review', chosen, other, `${chosen.recordLabel}: accepted sample ${chosen.sampleIndex + 1} vs rejected sample ${other.sampleIndex + 1}`, skipped);
				if (pair) drafts.push(pair);
			}
	}
	return { drafts, skipped };
}

function ktoLabels(items: readonly SampleForPairs[]): DraftBuild {
	const drafts: LabelDraft[] = [];
	const skipped: SkipCounts = {};
	for (const item of [...items].sort((a, b) => a.recordIndex - b.recordIndex || a.sampleIndex - b.sampleIndex)) {
		if (item.review === 'pending') {
			skip(skipped, 'sample not reviewed yet');
			continue;
		}
		const messages = messagesOf(item);
		let end = messages.length;
		while (end > 0 && messages[end - 1].role === 'assistant') end--;
		if (end === messages.length || end === 0 || messages[end - 1].role !== 'user') {
			skip(skipped, 'sample does not end on an assistant answer to a user turn');
			continue;
		}
		const label = item.review === 'accepted';
		drafts.push({
			kind: 'label',
			key: `kto:${item.id}`,
			origin: 'review',
			prompt: messages.slice(0, end),
			completion: messages.slice(end),
			label,
			source: `${item.recordLabel}: sample ${item.sampleIndex + 1} ${label ? 'accepted (wanted)' : 'rejected (unwanted)'}`,
			provenance: { recordIndex: item.recordIndex, sample: item.id }
		});
	}
	return { drafts, skipped };
}

/** The drafts one source proposes from a run's samples. */
export function samplePreferences(source: SampleSource, items: readonly SampleForPairs[], options: SamplePairOptions = {}): DraftBuild {
	switch (source) {
		case 'regeneration':
			return regenerationPairs(items);
		case 'judge': {
			const margin = options.margin ?? DEFAULT_JUDGE_MARGIN;
			if (!(margin > 0)) throw new Error('The judge margin is a number above 0 (ties are never pairs).');
			return judgePairs(items, margin);
		}
		case 'review':
			return reviewPairs(items);
		case 'kto':
			return ktoLabels(items);
	}
}
