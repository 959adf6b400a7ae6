/**
 * What a format writer makes of one entry: its JSONL lines (usually one; `prompt-response` in
 * every-pair mode writes one per exchange) plus what was lost on the way, or the reason it was
 * skipped. Losses are short fixed texts ("message key \"name\" dropped") so the report can count
 * them per file.
 */
import type { SkipReason } from './skip-reason';

export type WriteOutcome =
	| { kind: 'written'; lines: string[]; losses: string[] }
	| { kind: 'skipped'; reason: SkipReason };

export function written(lines: string[], losses: string[] = []): WriteOutcome {
	return { kind: 'written', lines, losses };
}

export function skipped(reason: SkipReason): WriteOutcome {
	return { kind: 'skipped', reason };
}
