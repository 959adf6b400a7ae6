/**
 * Preference data being built (issue 16): a pair or a label proposed from a source (SillyTavern
 * swipes, regenerated turns, judge scores, review decisions), shown to the user to confirm, swap
 * or drop, then turned into an `Entry` with `preference` set. Drafts are plain data: they cross
 * the worker boundary both ways.
 */
import { hashMessages } from '../hash';
import type { Entry, Message } from '../model';
import { PREFERENCE_ORIGINS } from '../model';

export type PreferenceOrigin = (typeof PREFERENCE_ORIGINS)[number];

interface DraftBase {
	/** Stable within one build (list keys, drop/swap by key). */
	key: string;
	origin: PreferenceOrigin;
	/** The shared prompt; it ends on the user's turn. */
	prompt: Message[];
	/** Where it came from, for the list ("Entry 3, reply 2: kept swipe vs swipe 1"). */
	source: string;
	/** Kept in the entry's meta.provenance.preference (ids of the entry, run, samples…). */
	provenance: Record<string, unknown>;
}

export type PairDraft = DraftBase & { kind: 'pair'; chosen: Message[]; rejected: Message[] };
export type LabelDraft = DraftBase & { kind: 'label'; completion: Message[]; label: boolean };
export type PreferenceDraft = PairDraft | LabelDraft;

/** Why a candidate was not proposed, counted per reason (the builder shows them). */
export type SkipCounts = Record<string, number>;

export interface DraftBuild {
	drafts: PreferenceDraft[];
	skipped: SkipCounts;
}

export function skip(counts: SkipCounts, reason: string, by = 1): void {
	counts[reason] = (counts[reason] ?? 0) + by;
}

/** A message as preference data carries it: role and text only (trainers' conversational format). */
export function plainMessage(message: Pick<Message, 'role' | 'content'>): Message {
	const { content } = message;
	return { role: message.role, content: typeof content === 'string' ? content : content === null ? '' : JSON.stringify(content) };
}

export const plainMessages = (messages: readonly Pick<Message, 'role' | 'content'>[]): Message[] => messages.map(plainMessage);

function sameMessage(a: Message, b: Message): boolean {
	return a.role === b.role && String(a.content ?? '').trim() === String(b.content ?? '').trim();
}

export function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
	return a.length === b.length && a.every((message, i) => sameMessage(message, b[i]));
}

/**
 * Two continuations answer the same prompt when they differ only in assistant turns: the same
 * roles in the same order and the same user (system, tool) turns between them.
 */
export function sameNonAssistantTurns(a: readonly Message[], b: readonly Message[]): boolean {
	return a.length === b.length && a.every((message, i) => message.role === b[i].role && (message.role === 'assistant' || sameMessage(message, b[i])));
}

export type Divergence = { ok: true; prompt: Message[]; a: Message[]; b: Message[] } | { ok: false; reason: string };

/**
 * Two conversations of the same record as prompt + two continuations: the prompt is their common
 * beginning up to its last user turn, the continuations what follows.
 */
export function diverge(first: readonly Message[], second: readonly Message[]): Divergence {
	const a = plainMessages(first);
	const b = plainMessages(second);
	let common = 0;
	while (common < a.length && common < b.length && sameMessage(a[common], b[common])) common++;
	if (common === a.length && common === b.length) return { ok: false, reason: 'the two answers are identical' };
	let end = common;
	while (end > 0 && a[end - 1].role !== 'user') end--;
	if (end === 0) return { ok: false, reason: 'no user turn before the answers differ' };
	const restA = a.slice(end);
	const restB = b.slice(end);
	if (!restA.length || !restB.length || restA[restA.length - 1].role !== 'assistant' || restB[restB.length - 1].role !== 'assistant') return { ok: false, reason: 'an answer does not end on an assistant turn' };
	if (!sameNonAssistantTurns(restA, restB)) return { ok: false, reason: 'the answers follow different user turns (prompts differ)' };
	return { ok: true, prompt: a.slice(0, end), a: restA, b: restB };
}

/** The pair with chosen and rejected exchanged (the user's swap). */
export function swapped(draft: PairDraft): PairDraft {
	return { ...draft, chosen: draft.rejected, rejected: draft.chosen, provenance: { ...draft.provenance, swapped: !draft.provenance.swapped } };
}

/** The label flipped (the user's swap of a KTO label). */
export function flipped(draft: LabelDraft): LabelDraft {
	return { ...draft, label: !draft.label, provenance: { ...draft.provenance, flipped: !draft.provenance.flipped } };
}

/**
 * The entry a confirmed draft becomes. A pair's `messages` is its prompt, a label's the prompt
 * and its completion. The hash covers the answers too: pairs sharing a prompt are not duplicates.
 */
export function draftToEntry(draft: PreferenceDraft, id: string, builtAt: string): Entry {
	const provenance = { preference: { origin: draft.origin, source: draft.source, builtAt, ...draft.provenance } };
	const tags = ['preference', draft.kind === 'pair' ? 'dpo' : 'kto', `from-${draft.origin}`];
	if (draft.kind === 'pair') {
		return {
			id,
			messages: draft.prompt,
			tags,
			meta: { review: 'accepted', provenance },
			extra: {},
			hash: hashMessages([...draft.prompt, ...draft.chosen, ...draft.rejected]),
			preference: { kind: 'pair', chosen: draft.chosen, rejected: draft.rejected, origin: draft.origin }
		};
	}
	const messages = [...draft.prompt, ...draft.completion];
	return { id, messages, tags, meta: { review: 'accepted', provenance }, extra: {}, hash: hashMessages(messages), preference: { kind: 'label', label: draft.label, origin: draft.origin } };
}
