/**
 * Small helpers the format writers share: which roles are standard, which keys of a message
 * are beyond `role`/`content`, and how to name a message in a skip reason.
 */
import { STANDARD_ROLES, type Message, type StandardRole } from '../model';
import { hasKey } from '../json-safety';

const STANDARD_ROLE_SET: ReadonlySet<string> = new Set(STANDARD_ROLES);

export function isStandardRole(role: string): role is StandardRole {
	return STANDARD_ROLE_SET.has(role);
}

/** "message 3 (assistant)", 1-based as people count. */
export function describeMessage(index: number, message: Message): string {
	const role = message.role.length > 30 ? message.role.slice(0, 30) + '…' : message.role;
	return `message ${index + 1} (${role})`;
}

/** The message's own keys other than `role` and `content`, in their order. */
export function otherMessageKeys(message: Message): string[] {
	const keys: string[] = [];
	for (const key of Object.keys(message)) if (key !== 'role' && key !== 'content') keys.push(key);
	return keys;
}

/** Whether an assistant message carries a non-empty `tool_calls` list. */
export function hasToolCalls(message: Message): boolean {
	return hasKey(message, 'tool_calls') && Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
}

/** The loss text for a media column a format does not carry. */
export function droppedMediaLoss(column: string): string {
	return `media column ${JSON.stringify(column)} dropped`;
}

/** The loss text for a tools list a format does not carry. */
export const LOSS_TOOLS_DROPPED = 'tools list dropped';

/** The loss text for a message key a format does not carry (counted per entry in the report). */
export function droppedKeyLoss(key: string): string {
	return `message key ${JSON.stringify(key)} dropped`;
}
