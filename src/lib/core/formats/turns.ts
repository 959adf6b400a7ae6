/**
 * Turns in the ShareGPT family (`{from, value}` and its variants) → messages.
 *
 * Speakers are matched case-insensitively after trimming; known names map to the four standard
 * roles, anything else is kept verbatim (trimmed) as a custom speaker role, to be mapped to a
 * character later. Every mapping that changes the speaker is noted.
 */
import type { Message, StandardRole } from '../model';
import { describeJsonType, hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import { contentAsText, type ConversionContext } from './conversion';
import type { TurnKind } from './tool-calls';

interface SpeakerMapping {
	role: StandardRole;
	/** Why the speaker is not kept verbatim; absent when the name already is the role. */
	note?: string;
}

const SPEAKERS = new Map<string, StandardRole>([
	['human', 'user'],
	['user', 'user'],
	['input', 'user'],
	['prompter', 'user'],
	['gpt', 'assistant'],
	['assistant', 'assistant'],
	['output', 'assistant'],
	['bot', 'assistant'],
	['model', 'assistant'],
	['chatgpt', 'assistant'],
	['function_call', 'assistant'],
	['system', 'system'],
	['observation', 'tool'],
	['tool', 'tool']
]);

/** Per raw speaker string, so a million "human" turns cost one map lookup each, no string building. */
const mappingCache = new Map<string, SpeakerMapping | null>();
const MAPPING_CACHE_LIMIT = 10_000;

function mapSpeaker(raw: string): SpeakerMapping | null {
	const cached = mappingCache.get(raw);
	if (cached !== undefined) return cached;
	const trimmed = raw.trim();
	const lower = trimmed.toLowerCase();
	const role = SPEAKERS.get(lower);
	let mapping: SpeakerMapping | null = null;
	if (role !== undefined) {
		// function_call / observation turns are converted (and noted) by tool-calls.ts.
		if (lower === 'function_call' || lower === 'observation') mapping = { role };
		else if (raw !== role) {
			const shown = raw === trimmed ? raw : JSON.stringify(raw);
			mapping = { role, note: `ShareGPT speaker mapped: ${shown} → ${role}` };
		} else mapping = { role };
	}
	if (mappingCache.size < MAPPING_CACHE_LIMIT) mappingCache.set(raw, mapping);
	return mapping;
}


/**
 * One turn → a message, or the reason it is not a turn. `label` names the list in messages
 * ("conversations[3] …").
 */
export function convertTurn(turn: unknown, index: number, label: string, ctx: ConversionContext): Message | string {
	if (!isRecord(turn)) return `${label}[${index}] is not a turn object`;
	const speakerKey = hasKey(turn, 'from') ? 'from' : hasKey(turn, 'role') ? 'role' : null;
	const speaker = speakerKey === null ? undefined : turn[speakerKey];
	if (typeof speaker !== 'string' || speaker.trim() === '') return `${label}[${index}] has no speaker ("from" or "role")`;
	const textKey = hasKey(turn, 'value') ? 'value' : hasKey(turn, 'content') ? 'content' : null;

	let role: string;
	const mapping = mapSpeaker(speaker);
	if (mapping !== null) {
		role = mapping.role;
		if (mapping.note !== undefined) ctx.note(mapping.note);
	} else {
		role = speaker.trim();
		ctx.note(`custom speaker name kept as role: ${role.length > 40 ? role.slice(0, 40) + '…' : role}`);
	}

	let content: Message['content'];
	let flagged: string | null = null;
	if (textKey === null) {
		content = '';
		ctx.note('turn without text ("value" or "content"): content left empty');
	} else {
		const raw = turn[textKey];
		if (typeof raw === 'string' || raw === null) content = raw;
		else if (Array.isArray(raw)) {
			content = raw;
			ctx.note('structured content parts kept');
		} else {
			content = contentAsText(raw);
			ctx.note('non-text turn value converted to text (JSON)');
			flagged = describeJsonType(raw);
		}
	}
	if (speakerKey !== 'from' || textKey !== 'value') {
		ctx.note(`turns use "${speakerKey}"/"${textKey ?? 'nothing'}" keys instead of "from"/"value"`);
	}

	// Fast path: the overwhelmingly common two-key turn.
	const keys = Object.keys(turn);
	if (keys.length === 2 && textKey !== null) {
		const message = { role, content };
		if (flagged !== null) ctx.convertedContent?.(message, flagged);
		return message;
	}
	const consumed = new Set<string>([speakerKey as string, 'role', 'content']);
	if (textKey !== null) consumed.add(textKey);
	if (speakerKey === 'from' && hasKey(turn, 'role')) ctx.note('turn had both "from" and "role": "role" dropped');
	if (textKey === 'value' && hasKey(turn, 'content')) ctx.note('turn had both "value" and "content": "content" dropped');
	const rest: JsonRecord = omitKeys(turn, consumed);
	const message = { role, content, ...rest };
	if (flagged !== null) ctx.convertedContent?.(message, flagged);
	return message;
}

/** A list of turns → messages (shared by ShareGPT `conversations` and bare turn lists). */
export function convertTurns(turns: readonly unknown[], label: string, ctx: ConversionContext, into: Message[] = []): Message[] | string {
	for (let i = 0; i < turns.length; i++) {
		const message = convertTurn(turns[i], i, label, ctx);
		if (typeof message === 'string') return message;
		into.push(message);
	}
	return into;
}

/** Which tool turn a raw ShareGPT turn is (by its speaker), for `linkShareGptToolCalls`. */
export function turnKind(turn: unknown): TurnKind {
	if (!isRecord(turn)) return 'other';
	const speaker = hasKey(turn, 'from') ? turn.from : turn.role;
	if (typeof speaker !== 'string' || speaker.length < 11) return 'other';
	// Hot path: "human" / "gpt" turns are rejected by length or first letter without building strings.
	const first = speaker.charCodeAt(0);
	if (first > 0x20 && (first | 0x20) !== 0x66 /* f */ && (first | 0x20) !== 0x6f /* o */) return 'other';
	const lower = speaker.trim().toLowerCase();
	return lower === 'function_call' ? 'function_call' : lower === 'observation' ? 'observation' : 'other';
}

/** Whether a value looks like one turn (`from`/`role` plus `value`/`content`). */
export function looksLikeTurn(value: unknown): boolean {
	return (
		isRecord(value) &&
		(hasKey(value, 'from') || hasKey(value, 'role')) &&
		(hasKey(value, 'value') || hasKey(value, 'content'))
	);
}
