/**
 * `{"prompt": user text, "response": assistant text}` (seed 003's pair format), in one of two modes:
 *
 * - `single-turn` (default): only entries that are exactly one user → assistant exchange are
 *   written, one line each; anything else is skipped with the reason. Lossless apart from message
 *   keys beyond role/content. An entry with a system prompt is skipped (there is no field for
 *   it): export with the system prompt omitted to include those.
 * - `every-pair`: one line per adjacent user → assistant pair (both plain text, no tool calls) of
 *   any conversation. Each pair stands alone, so the earlier context, the system prompt, tool
 *   turns and unpaired turns are dropped and counted as losses. Entries with no such pair are
 *   skipped.
 */
import type { Entry, Message } from '../model';
import { describeMessage, droppedKeyLoss, droppedMediaLoss, hasToolCalls, isStandardRole, LOSS_TOOLS_DROPPED, otherMessageKeys } from './message-fields';
import { mediaColumnsOf } from '../formats/media';
import { hasKey } from '../json-safety';
import { skip } from './skip-reason';
import { skipped, written, type WriteOutcome } from './write-outcome';

export const PROMPT_RESPONSE_MODES = ['single-turn', 'every-pair'] as const;
export type PromptResponseMode = (typeof PROMPT_RESPONSE_MODES)[number];

export const LOSS_CONTEXT = 'earlier turns dropped: each prompt/response pair stands alone';
export const LOSS_SYSTEM = 'system prompt dropped';
export const LOSS_UNPAIRED = 'turns outside a user → assistant pair dropped';

function isPlainTurn(message: Message, role: 'user' | 'assistant'): boolean {
	return message.role === role && typeof message.content === 'string' && !hasToolCalls(message);
}

function pairLine(user: Message, assistant: Message, losses: Set<string>): string {
	for (const key of otherMessageKeys(user)) losses.add(droppedKeyLoss(key));
	for (const key of otherMessageKeys(assistant)) losses.add(droppedKeyLoss(key));
	return JSON.stringify({ prompt: user.content, response: assistant.content });
}

function writeSingleTurn(messages: readonly Message[]): WriteOutcome {
	if (messages.length === 0) return skipped(skip('no-messages', 'the entry has no messages'));
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const where = describeMessage(i, message);
		if (!isStandardRole(message.role)) return skipped(skip('custom-role', `${where}: prompt/response has no place for a custom role`));
		if (message.role === 'system') {
			return skipped(skip('has-system', `${where}: prompt/response has no system prompt field (export with the system prompt omitted)`));
		}
		if (message.role === 'tool' || hasToolCalls(message)) return skipped(skip('tool-turns', `${where}: prompt/response cannot express tool calls`));
		if (Array.isArray(message.content)) return skipped(skip('structured-content', `${where}: structured content parts cannot be prompt/response text`));
		if (message.content === null) return skipped(skip('missing-content', `${where}: no content`));
	}
	if (messages.length > 2) return skipped(skip('multi-turn', `${messages.length} messages: single-turn prompt/response takes one exchange (or use every-pair mode)`));
	if (messages.length < 2 || !isPlainTurn(messages[0], 'user') || !isPlainTurn(messages[1], 'assistant')) {
		return skipped(skip('no-exchange', 'not a user → assistant exchange'));
	}
	const losses = new Set<string>();
	return written([pairLine(messages[0], messages[1], losses)], [...losses]);
}

function writeEveryPair(messages: readonly Message[]): WriteOutcome {
	const lines: string[] = [];
	const losses = new Set<string>();
	let unpaired = false;
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		if (i + 1 < messages.length && isPlainTurn(message, 'user') && isPlainTurn(messages[i + 1], 'assistant')) {
			if (lines.length > 0 || unpaired) losses.add(LOSS_CONTEXT);
			lines.push(pairLine(message, messages[i + 1], losses));
			i++;
		} else if (message.role === 'system') losses.add(LOSS_SYSTEM);
		else unpaired = true;
	}
	if (lines.length === 0) return skipped(skip('no-exchange', 'no user → assistant pair of plain text'));
	if (unpaired) losses.add(LOSS_UNPAIRED);
	return written(lines, [...losses]);
}

export function writePromptResponse(entry: Entry, mode: PromptResponseMode): WriteOutcome {
	const outcome = mode === 'every-pair' ? writeEveryPair(entry.messages) : writeSingleTurn(entry.messages);
	if (outcome.kind === 'skipped') return outcome;
	// No field for media files or a tools list: counted, never silently dropped.
	const dropped = mediaColumnsOf(entry.extra).map(droppedMediaLoss);
	const tools = hasKey(entry.extra, 'tools') ? entry.extra.tools : undefined;
	if (tools !== undefined && tools !== null && tools !== '' && !(Array.isArray(tools) && tools.length === 0)) dropped.push(LOSS_TOOLS_DROPPED);
	return dropped.length === 0 ? outcome : written(outcome.lines, [...outcome.losses, ...dropped]);
}
