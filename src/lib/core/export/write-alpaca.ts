/**
 * Alpaca with LLaMA-Factory's extensions (reference/formats.md §3.3):
 *
 *   {"instruction": last user, "input": "", "output": last assistant,
 *    "system"?: leading system message, "history"?: [[user, assistant], …earlier pairs]}
 *
 * This is the lossless direction of the conversion rules: Skein's importer expands exactly this
 * back into the same messages. `input` is always empty: once a user turn is one string there is
 * no telling which part was the instruction.
 *
 * Expressible: an optional leading system message, then one or more user → assistant pairs, all
 * plain text. Anything else is skipped with the reason (ends on a user turn, two users in a row,
 * tool turns or tool calls, a system message later on, custom roles, structured content).
 * Message keys beyond role/content (`name`, `weight`, …) have no place and are counted as lost.
 */
import type { Entry, Message } from '../model';
import { describeMessage, droppedKeyLoss, hasToolCalls, isStandardRole, LOSS_TOOLS_DROPPED, otherMessageKeys } from './message-fields';
import { mediaColumnsOf } from '../formats/media';
import { hasKey } from '../json-safety';
import { skip, type SkipReason } from './skip-reason';
import { skipped, written, type WriteOutcome } from './write-outcome';

export const LOSS_EMPTY_SYSTEM = 'empty system prompt dropped';

/** The text of a message that must be plain text, or why it cannot be. */
function plainText(index: number, message: Message): string | SkipReason {
	const where = describeMessage(index, message);
	if (!isStandardRole(message.role)) return skip('custom-role', `${where}: Alpaca has no place for a custom role; map it to a standard role first`);
	if (message.role === 'tool' || hasToolCalls(message)) return skip('tool-turns', `${where}: Alpaca cannot express tool calls or tool results`);
	if (Array.isArray(message.content)) return skip('structured-content', `${where}: structured content parts cannot be Alpaca text`);
	if (message.content === null) return skip('missing-content', `${where}: no content`);
	return message.content;
}

export interface AlpacaShape {
	system?: string;
	/** Every user → assistant pair, the last one being instruction → output. */
	pairs: [string, string][];
	losses: string[];
}

/** Messages → system and pairs, or the reason the conversation has no Alpaca shape. */
export function alpacaShape(messages: readonly Message[]): AlpacaShape | SkipReason {
	if (messages.length === 0) return skip('no-messages', 'the entry has no messages');
	const losses = new Set<string>();
	let start = 0;
	let system: string | undefined;
	if (messages[0].role === 'system') {
		const text = plainText(0, messages[0]);
		if (typeof text !== 'string') return text;
		if (text.length > 0) system = text;
		else losses.add(LOSS_EMPTY_SYSTEM);
		start = 1;
	}
	const pairs: [string, string][] = [];
	let pendingUser: string | null = null;
	for (let i = start; i < messages.length; i++) {
		const message = messages[i];
		const where = describeMessage(i, message);
		const text = plainText(i, message);
		if (typeof text !== 'string') return text;
		for (const key of otherMessageKeys(message)) losses.add(droppedKeyLoss(key));
		const expected = pendingUser === null ? 'user' : 'assistant';
		if (message.role === 'system') return skip('system-not-leading', `${where}: Alpaca has one system prompt, before the conversation`);
		if (message.role !== expected) {
			return skip('not-alternating', `${where}: two ${message.role} turns in a row; Alpaca needs user → assistant pairs`);
		}
		if (pendingUser === null) pendingUser = text;
		else {
			pairs.push([pendingUser, text]);
			pendingUser = null;
		}
	}
	if (pendingUser !== null) return skip('ends-on-user', 'the conversation ends on a user turn; Alpaca needs an output');
	if (pairs.length === 0) return skip('no-exchange', 'no user → assistant exchange');
	return { ...(system !== undefined ? { system } : {}), pairs, losses: [...losses] };
}

export function writeAlpaca(entry: Entry): WriteOutcome {
	const shape = alpacaShape(entry.messages);
	if ('code' in shape) return skipped(shape);
	const [instruction, output] = shape.pairs[shape.pairs.length - 1];
	const history = shape.pairs.slice(0, -1);
	const media = mediaColumnsOf(entry.extra);
	const record = {
		instruction,
		input: '',
		output,
		...(shape.system !== undefined ? { system: shape.system } : {}),
		...(history.length > 0 ? { history } : {}),
		// LLaMA-Factory's Alpaca reads images / videos / audios next to the <image> tokens.
		...Object.fromEntries(media.map((column) => [column, entry.extra[column]]))
	};
	const tools = hasKey(entry.extra, 'tools') ? entry.extra.tools : undefined;
	const dropsTools = tools !== undefined && tools !== null && tools !== '' && !(Array.isArray(tools) && tools.length === 0);
	return written([JSON.stringify(record)], dropsTools ? [...shape.losses, LOSS_TOOLS_DROPPED] : shape.losses);
}
