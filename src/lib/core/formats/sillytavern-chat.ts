/**
 * SillyTavern chat logs (reference/formats.md §3.5): a JSONL file whose first line is a header
 * `{user_name, character_name, create_date?, chat_metadata?}` and whose other lines are messages
 * `{name, is_user, is_system?, send_date?, mes, extra?, swipes?, swipe_id?, swipe_info?}`.
 *
 * The whole log is one conversation, so the importer collects lines into a `SillyTavernChat` and
 * turns it into one entry when the log ends (a new header, another kind of record, end of file).
 * Roles: is_system → system, is_user → user, anything else → assistant (the character). Every
 * other key of a message line (`name`, `send_date`, `swipes`, `extra`, …) stays on the message; the
 * header's keys become the entry's `extra`.
 */
import type { Message } from '../model';
import { hasKey, omitKeys, type JsonRecord } from '../json-safety';
import type { ConversionContext, ConvertedRecord } from './conversion';

export function isSillyTavernHeader(record: JsonRecord): boolean {
	return typeof record.user_name === 'string' && typeof record.character_name === 'string' && hasKey(record, 'user_name');
}

export function isSillyTavernMessage(record: JsonRecord): boolean {
	return hasKey(record, 'mes') && typeof record.is_user === 'boolean';
}

const MESSAGE_CONSUMED = new Set(['mes', 'is_user', 'is_system', 'role', 'content']);

export function convertSillyTavernMessage(record: JsonRecord, ctx: ConversionContext): Message {
	const role = record.is_system === true ? 'system' : record.is_user === true ? 'user' : 'assistant';
	const mes = record.mes;
	let content: string;
	if (typeof mes === 'string') content = mes;
	else {
		content = mes === null || mes === undefined ? '' : (JSON.stringify(mes) ?? '');
		ctx.note('SillyTavern message text that is not a string converted to text');
	}
	if (hasKey(record, 'role') || hasKey(record, 'content')) ctx.note('SillyTavern message had its own role/content keys: replaced');
	if (hasKey(record, 'swipes')) ctx.note('SillyTavern swipes kept on their messages');
	if (record.is_system === true && record.is_user === true) ctx.note('SillyTavern message both is_user and is_system: imported as system');
	return { role, content, ...omitKeys(record, MESSAGE_CONSUMED) };
}

/** A chat log being collected. */
export class SillyTavernChat {
	readonly messages: Message[] = [];
	constructor(
		/** The header line, or null for a log that starts without one. */
		readonly header: JsonRecord | null,
		/** The line the log starts on. */
		readonly line: number
	) {}

	toConverted(ctx: ConversionContext): ConvertedRecord {
		if (this.header === null) ctx.note('SillyTavern chat log without a header line');
		else ctx.note('SillyTavern chat header (user and character names, metadata) kept as metadata');
		if (this.messages.some((m) => hasKey(m, 'name'))) ctx.note('SillyTavern speaker names kept as message names');
		return { messages: this.messages, extra: this.header === null ? {} : { ...this.header } };
	}
}
