/**
 * Split one conversation in two at a turn boundary, and join several into one.
 *
 * Both are pure and return new entries; undo comes from the operation records in bulk.ts
 * (`splitOperation`, `joinOperation`), which keep the originals.
 *
 * Where an entry came from is noted in `meta.derivedFrom` (`{ op, ids, at? }`), not in
 * `meta.provenance`: provenance holds generation records whose shape we do not own.
 */
import { hashMessages } from '../hash';
import type { Entry, Message, ReviewState } from '../model';

export interface DerivedFrom {
	op: 'split' | 'join';
	/** The entries it was made from, in order. */
	ids: string[];
	/** For a split: the message index (in the original) where it was cut. */
	at?: number;
	/** For a split: which half this is (1 or 2). */
	part?: number;
}

/** How many system messages open the conversation (the system prompt, usually 0 or 1). */
export function leadingSystemCount(messages: readonly Message[]): number {
	let count = 0;
	while (count < messages.length && messages[count].role === 'system') count++;
	return count;
}

/**
 * The valid split points: `at` cuts between messages `at - 1` and `at`, and is valid when both
 * halves keep at least one non-system message, i.e. `leadingSystemCount < at < length`.
 */
export function splitPoints(entry: Entry): number[] {
	const points: number[] = [];
	for (let at = leadingSystemCount(entry.messages) + 1; at < entry.messages.length; at++) points.push(at);
	return points;
}

/**
 * Split points that fall on exchange boundaries: before a `user` message that follows a
 * non-user message. What the editor offers first ("split before this turn").
 */
export function turnBoundaries(entry: Entry): number[] {
	return splitPoints(entry).filter((at) => entry.messages[at].role === 'user' && entry.messages[at - 1].role !== 'user');
}

export type SplitResult = { ok: true; first: Entry; second: Entry } | { ok: false; error: string };

/**
 * Cuts `entry` before message `at`. The leading system messages are copied to both halves;
 * the first half keeps the id, the second gets `newId`; tags, meta, extra are copied;
 * character mappings go to the half whose messages use that speaker.
 */
export function splitEntry(entry: Entry, at: number, newId: string): SplitResult {
	const system = leadingSystemCount(entry.messages);
	if (!Number.isInteger(at) || at <= system || at >= entry.messages.length) {
		return {
			ok: false,
			error:
				entry.messages.length - system < 2
					? 'the entry needs at least two non-system messages to split'
					: `split points are between messages ${system + 1} and ${entry.messages.length - 1}; ${at} would leave a half empty`
		};
	}
	if (newId === '' || newId === entry.id) return { ok: false, error: 'the second half needs a new id' };
	const head = entry.messages.slice(0, system);
	const half = (messages: Message[], id: string, part: number): Entry => {
		const derivedFrom: DerivedFrom = { op: 'split', ids: [entry.id], at, part };
		const { characters: _characters, ...rest } = entry;
		const characters = charactersUsedIn(entry.characters, messages);
		return {
			...rest,
			id,
			messages,
			tags: entry.tags.slice(),
			...(characters ? { characters } : {}),
			meta: { ...entry.meta, derivedFrom },
			extra: { ...entry.extra },
			hash: hashMessages(messages)
		};
	};
	return {
		ok: true,
		first: half([...head, ...entry.messages.slice(system, at)], entry.id, 1),
		second: half([...head, ...entry.messages.slice(at)], newId, 2)
	};
}

/** The speaker → character mappings whose speaker (a role or a `name`) occurs in `messages`. */
function charactersUsedIn(characters: Entry['characters'], messages: readonly Message[]): Record<string, string> | undefined {
	if (!characters) return undefined;
	const speakers = new Set<string>();
	for (const message of messages) {
		speakers.add(message.role);
		if (typeof message.name === 'string') speakers.add(message.name);
	}
	const kept = Object.entries(characters).filter(([speaker]) => speakers.has(speaker));
	return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

export type JoinResult = { ok: true; entry: Entry; warnings: string[] } | { ok: false; error: string };

/**
 * Joins entries in the given order into one:
 * - messages: the system prompt (leading system messages) of the first entry that has one, then
 *   every entry's messages after its own leading system messages. A later entry whose system
 *   prompt differs loses it, with a warning naming it (the originals stay in the undo record).
 * - id: `newId`, or the first entry's id.
 * - tags: the union, in order of first appearance.
 * - meta: the first entry's, with review `draft` unless all agree (a joined conversation needs
 *   a fresh look), notes joined with blank lines, and `derivedFrom`.
 * - extra and characters: the union; on a conflict the earlier entry wins (with a warning for
 *   characters).
 */
export function joinEntries(entries: readonly Entry[], newId?: string): JoinResult {
	if (entries.length < 2) return { ok: false, error: 'joining needs two or more entries' };
	const ids = entries.map((entry) => entry.id);
	if (new Set(ids).size !== ids.length) return { ok: false, error: 'an entry cannot be joined with itself' };
	const warnings: string[] = [];

	const systemOf = (entry: Entry) => entry.messages.slice(0, leadingSystemCount(entry.messages));
	const keeper = entries.find((entry) => leadingSystemCount(entry.messages) > 0);
	const system = keeper ? systemOf(keeper) : [];
	const systemKey = JSON.stringify(system);
	const dropped = entries.filter((entry) => entry !== keeper && leadingSystemCount(entry.messages) > 0 && JSON.stringify(systemOf(entry)) !== systemKey);
	if (keeper && dropped.length > 0) {
		warnings.push(
			`The system prompts differ; kept the one of ${keeper.id} and dropped those of ${dropped.map((entry) => entry.id).join(', ')}.`
		);
	}

	const messages: Message[] = [...system];
	for (const entry of entries) messages.push(...entry.messages.slice(leadingSystemCount(entry.messages)));

	const tags = [...new Set(entries.flatMap((entry) => entry.tags))];
	const first = entries[0];
	const reviews = new Set(entries.map((entry) => entry.meta.review));
	const review: ReviewState = reviews.size === 1 ? first.meta.review : 'draft';
	const notes = [...new Set(entries.map((entry) => entry.meta.notes).filter((note): note is string => typeof note === 'string' && note !== ''))];
	const { notes: _notes, ...firstMeta } = first.meta;
	const derivedFrom: DerivedFrom = { op: 'join', ids };

	let characters: Record<string, string> | undefined;
	let extra: Record<string, unknown> = {};
	for (const entry of [...entries].reverse()) extra = { ...extra, ...entry.extra };
	for (const entry of entries) {
		for (const [speaker, character] of Object.entries(entry.characters ?? {})) {
			characters ??= {};
			if (!Object.prototype.hasOwnProperty.call(characters, speaker)) characters = { ...characters, [speaker]: character };
			else if (characters[speaker] !== character) {
				warnings.push(`"${speaker}" stands for ${characters[speaker]} in an earlier entry and ${character} in ${entry.id}; kept ${characters[speaker]}.`);
			}
		}
	}

	const { characters: _characters, ...firstRest } = first;
	return {
		ok: true,
		warnings,
		entry: {
			...firstRest,
			id: newId ?? first.id,
			messages,
			tags,
			...(characters ? { characters } : {}),
			meta: { ...firstMeta, review, ...(notes.length > 0 ? { notes: notes.join('\n\n') } : {}), derivedFrom },
			extra,
			hash: hashMessages(messages)
		}
	};
}
