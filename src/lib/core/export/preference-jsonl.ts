/**
 * Preference entries as TRL's conversational preference records (one JSON object a line):
 * DPO/ORPO `{"prompt": [...], "chosen": [...], "rejected": [...]}` and KTO (unpaired)
 * `{"prompt": [...], "completion": [...], "label": bool}`. Messages are written as
 * `{role, content}`. Kept minimal: the export dialog's DPO/KTO writers build on the same records.
 */
import type { Entry, Message } from '../model';

export interface ChatTurn {
	role: string;
	content: string;
}
export interface DpoRecord {
	prompt: ChatTurn[];
	chosen: ChatTurn[];
	rejected: ChatTurn[];
}
export interface KtoRecord {
	prompt: ChatTurn[];
	completion: ChatTurn[];
	label: boolean;
}

const turn = (message: Message): ChatTurn => ({ role: message.role, content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '') });

/** The DPO record of a pair entry, or null for any other entry. */
export function toDpoRecord(entry: Pick<Entry, 'messages' | 'preference'>): DpoRecord | null {
	const preference = entry.preference;
	if (preference?.kind !== 'pair') return null;
	return { prompt: entry.messages.map(turn), chosen: preference.chosen.map(turn), rejected: preference.rejected.map(turn) };
}

/** The KTO record of a label entry (completion: the trailing assistant turns), or null. */
export function toKtoRecord(entry: Pick<Entry, 'messages' | 'preference'>): KtoRecord | null {
	const preference = entry.preference;
	if (preference?.kind !== 'label') return null;
	let end = entry.messages.length;
	while (end > 0 && entry.messages[end - 1].role === 'assistant') end--;
	if (end === entry.messages.length) return null;
	return { prompt: entry.messages.slice(0, end).map(turn), completion: entry.messages.slice(end).map(turn), label: preference.label };
}

/** JSONL of the entries' DPO (pairs) or KTO (labels) records; other entries are left out. */
export function preferenceJsonl(entries: readonly Pick<Entry, 'messages' | 'preference'>[], kind: 'dpo' | 'kto'): string {
	const records = entries.flatMap((entry) => {
		const record = kind === 'dpo' ? toDpoRecord(entry) : toKtoRecord(entry);
		return record ? [JSON.stringify(record)] : [];
	});
	return records.length ? `${records.join('\n')}\n` : '';
}
