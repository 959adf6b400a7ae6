/**
 * The pre-export check's account of preference data (issue 16): how many pairs and labelled
 * answers the export's scope holds, and what the chosen format will do with them, in words, so an
 * unwanted or rejected answer never reaches an SFT file unannounced. `PreferenceTally` counts the
 * entries the plan selected, one at a time; `describePreferenceHandling` says what happens.
 */
import type { Entry, Message } from '../model';
import type { ExportFileFormat } from './serialize';
import { SFT_FORMATS } from './preference-view';

export interface PreferenceTallyCounts {
	pairs: number;
	/** Pairs whose chosen and rejected answers are the same (they teach nothing). */
	identicalPairs: number;
	wanted: number;
	unwanted: number;
	/** Entries without preference data. */
	plain: number;
}

function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i].role !== b[i].role || JSON.stringify(a[i].content) !== JSON.stringify(b[i].content)) return false;
	return true;
}

/** Whether a pair's chosen and rejected answers say the same thing (roles and contents). */
export function isIdenticalPair(entry: Entry): boolean {
	const preference = entry.preference;
	return preference?.kind === 'pair' && sameMessages(preference.chosen, preference.rejected);
}

export class PreferenceTally {
	readonly counts: PreferenceTallyCounts = { pairs: 0, identicalPairs: 0, wanted: 0, unwanted: 0, plain: 0 };

	add(entry: Entry): void {
		const preference = entry.preference;
		if (preference === undefined) this.counts.plain++;
		else if (preference.kind === 'pair') {
			this.counts.pairs++;
			if (isIdenticalPair(entry)) this.counts.identicalPairs++;
		} else if (preference.label) this.counts.wanted++;
		else this.counts.unwanted++;
	}
}

function n(count: number, one: string, many: string): string {
	return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

export interface PreferenceHandlingLine {
	text: string;
	/** `warn`: something will not be written or is suspicious. */
	tone: 'info' | 'warn';
}

/** What `format` does with the preference data counted (empty when there is none). */
export function describePreferenceHandling(counts: PreferenceTallyCounts, format: ExportFileFormat): PreferenceHandlingLine[] {
	const { pairs, identicalPairs, wanted, unwanted, plain } = counts;
	const labels = wanted + unwanted;
	if (pairs + labels === 0) return [];
	const lines: PreferenceHandlingLine[] = [];
	if (SFT_FORMATS.has(format)) {
		if (pairs > 0) lines.push({ tone: 'warn', text: `${n(pairs, 'preference pair', 'preference pairs')}: each written as its prompt + chosen answer; the rejected ${pairs === 1 ? 'answer is' : 'answers are'} not written.` });
		if (unwanted > 0) lines.push({ tone: 'warn', text: `${n(unwanted, 'answer labelled unwanted', 'answers labelled unwanted')} (KTO false): left out of this file.` });
		if (wanted > 0) lines.push({ tone: 'info', text: `${n(wanted, 'answer labelled wanted', 'answers labelled wanted')} (KTO true): written as ${wanted === 1 ? 'a chat' : 'chats'}.` });
	} else if (format === 'dpo' || format === 'sharegpt-ranking') {
		lines.push({ tone: 'info', text: `${n(pairs, 'pair', 'pairs')} written with chosen and rejected answers${format === 'sharegpt-ranking' ? ' (those with one assistant message per answer)' : ''}.` });
		if (labels > 0) lines.push({ tone: 'warn', text: `${n(labels, 'labelled answer', 'labelled answers')} (KTO) skipped: the KTO export writes them.` });
		if (plain > 0) lines.push({ tone: 'warn', text: `${n(plain, 'entry', 'entries')} without preference data skipped.` });
	} else if (format === 'kto') {
		if (labels > 0) lines.push({ tone: 'info', text: `${n(labels, 'labelled answer', 'labelled answers')} written with their label (${unwanted.toLocaleString('en-US')} false).` });
		if (pairs > 0) lines.push({ tone: 'info', text: `${n(pairs, 'pair', 'pairs')} written as ${n(pairs * 2, 'line', 'lines')}: chosen true, rejected false.` });
		if (plain > 0) lines.push({ tone: 'warn', text: `${n(plain, 'entry', 'entries')} without preference data skipped.` });
	} else {
		lines.push({ tone: 'info', text: `${n(pairs, 'pair', 'pairs')} and ${n(labels, 'labelled answer', 'labelled answers')} kept as they are.` });
	}
	if (identicalPairs > 0) lines.push({ tone: 'warn', text: `${n(identicalPairs, 'pair has', 'pairs have')} identical chosen and rejected answers: ${identicalPairs === 1 ? 'it teaches' : 'they teach'} nothing (Validate flags them).` });
	return lines;
}
