/**
 * Repairs: pure functions from an entry to an entry. A repair returns the SAME object when it has
 * nothing to change (callers detect no-ops with `===`), never mutates its input, recomputes the
 * content hash when messages change, and is idempotent (applying it twice equals applying it once).
 */
import type { Entry } from '../model';
import type { SpeakerMapping } from '../validation/speakers';
import type { RepairKind } from '../validation/types';

export interface RepairContext {
	/** Name that replaces `{{char}}` / `<BOT>` (the profile's identity name). */
	identityName: string;
	/** Name that replaces `{{user}}` / `<USER>`. */
	userName: string;
	/** Custom speaker → role, for map-custom-speakers; absent: each entry's own suggestion. */
	speakerMapping?: SpeakerMapping;
	/** Split limits: exchanges per part, assistant words per part, tokens per part. */
	splitMaxTurns: number;
	splitMaxWords: number;
	maxTokens: number;
	countTokens(text: string): number;
	/** Id of part `part` (1-based) of a split entry. Default `${id}-part${part}`. */
	splitId(sourceId: string, part: number): string;
	/** The dataset's training target, for the repairs that cut to its max_seq_len (absent: they change nothing). */
	templateBudget?: TemplateBudget;
}

/** Tokens of a conversation under the target's chat template, and the max_seq_len to stay within. */
export interface TemplateBudget {
	readonly maxSeqLen: number;
	/** Tokens of the rendered conversation; null when the template refuses it. */
	countTokens(entry: Pick<Entry, 'messages' | 'extra'>): number | null;
}

interface RepairInfo {
	id: string;
	title: string;
	description: string;
	kind: RepairKind;
	/** Rule ids whose findings this repair fixes. */
	fixes: readonly string[];
}

export interface Repair extends RepairInfo {
	apply(entry: Entry, ctx: RepairContext): Entry;
}

/** A repair that turns one entry into several (split); `[entry]` itself when nothing changes. */
export interface ExpandingRepair extends RepairInfo {
	apply(entry: Entry, ctx: RepairContext): Entry[];
}
