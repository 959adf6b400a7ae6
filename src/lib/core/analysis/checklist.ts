/**
 * The quality checklist for identity / roleplay fine-tuning data (SPEC §5): enough examples,
 * a hand-reviewed sample, no garbage, diverse prompts, a consistent voice, nothing truncated.
 * Each item says what was measured and what to do next.
 */
import type { PromptDiversity } from './diversity';
import type { StructureAnalysis } from './structure';
import type { TokenAnalysis } from './tokens';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'pending';

export interface CheckItem {
	id: 'volume' | 'reviewed' | 'garbage' | 'diversity' | 'voice' | 'length';
	label: string;
	status: CheckStatus;
	detail: string;
}

export const IDENTITY_MIN_ENTRIES = 1000;
/** A hand review of this many entries (or all, if fewer) gives a useful reading of quality. */
export const REVIEW_SAMPLE_TARGET = 50;
export const GARBAGE_WARN_SHARE = 0.01;
export const GARBAGE_FAIL_SHARE = 0.05;
export const REJECTED_WARN_SHARE = 0.1;

export interface ChecklistInput {
	structure: StructureAnalysis;
	tokens: TokenAnalysis | null;
	diversity: PromptDiversity;
	/** Entries accepted or rejected in this session's sample review. */
	sampleReviewed: number;
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;
const count = (n: number) => n.toLocaleString('en-US');

export function buildChecklist(input: ChecklistInput): CheckItem[] {
	const { structure, tokens, diversity } = input;
	const n = structure.entries;
	const items: CheckItem[] = [];

	items.push({
		id: 'volume',
		label: `At least ${count(IDENTITY_MIN_ENTRIES)} entries for identity work`,
		status: n >= IDENTITY_MIN_ENTRIES ? 'pass' : n >= IDENTITY_MIN_ENTRIES / 2 ? 'warn' : 'fail',
		detail: n >= IDENTITY_MIN_ENTRIES ? `${count(n)} entries.` : `${count(n)} entries: ${count(IDENTITY_MIN_ENTRIES - n)} more needed.`
	});

	const reviewed = structure.review.accepted + structure.review.rejected;
	const target = Math.min(REVIEW_SAMPLE_TARGET, n);
	const rejectedShare = reviewed === 0 ? 0 : structure.review.rejected / reviewed;
	items.push({
		id: 'reviewed',
		label: 'A random sample reviewed by hand',
		status: reviewed === 0 || n === 0 ? 'fail' : reviewed < target ? 'warn' : rejectedShare > REJECTED_WARN_SHARE ? 'warn' : 'pass',
		detail:
			`${count(reviewed)} of ${count(n)} entries reviewed (${percent(n === 0 ? 0 : reviewed / n)}); ` +
			(reviewed < target ? `review at least ${count(target)} with the sample review below.` : `${percent(rejectedShare)} of them rejected.`)
	});

	const garbageShare = n === 0 ? 0 : structure.garbage.anyProblem / n;
	const g = structure.garbage;
	items.push({
		id: 'garbage',
		label: 'No garbage (empty messages, no assistant reply)',
		status: garbageShare === 0 ? 'pass' : garbageShare < GARBAGE_WARN_SHARE ? 'warn' : garbageShare < GARBAGE_FAIL_SHARE ? 'warn' : 'fail',
		detail:
			garbageShare === 0
				? 'Every entry has an assistant reply and no empty messages.'
				: `${count(g.anyProblem)} entries (${percent(garbageShare)}): ${count(g.emptyMessages)} with empty messages, ${count(g.noAssistant)} without an assistant reply. Run validation and its repairs.`
	});

	items.push({
		id: 'diversity',
		label: 'Diverse prompts (under 10% duplicate or near-duplicate)',
		status: diversity.prompts === 0 ? 'fail' : diversity.meetsTarget ? (diversity.nearRedundant === null ? 'pending' : 'pass') : 'fail',
		detail:
			diversity.prompts === 0
				? 'No entry has a user prompt.'
				: `${percent(diversity.redundantShare)} of ${count(diversity.prompts)} prompts repeat another` +
					(diversity.nearRedundant === null ? ' exactly (near-duplicates still being measured).' : ' (exactly or nearly).')
	});

	items.push({
		id: 'voice',
		label: 'Voice consistent across a sample',
		status: input.sampleReviewed >= Math.min(20, n) && n > 0 ? 'pass' : 'pending',
		detail:
			input.sampleReviewed > 0
				? `${count(input.sampleReviewed)} sampled entries judged in this session.`
				: 'Read a random sample below and reject entries where the character breaks voice.'
	});

	if (tokens) {
		const over = tokens.cost.overLimit;
		items.push({
			id: 'length',
			label: 'Nothing truncated in training (≤ 16,385 tokens)',
			status: over === 0 ? 'pass' : 'warn',
			detail: over === 0 ? `Longest entry: ${count(tokens.tokensPerEntry.summary.max)} tokens.` : `${count(over)} entries are longer and will be truncated.`
		});
	}
	return items;
}
