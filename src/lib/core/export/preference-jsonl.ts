/**
 * Preference entries as TRL's conversational preference JSONL, for the pair builder's download:
 * the same writers the export dialog's DPO and KTO formats use (write-preference.ts), so a file
 * downloaded from the builder and one exported from the dataset are the same.
 */
import type { Entry } from '../model';
import { writeDpo, writeKto } from './write-preference';

type PreferenceEntry = Pick<Entry, 'messages' | 'preference'> & Partial<Entry>;

function asEntry(entry: PreferenceEntry): Entry {
	return { id: entry.id ?? 'pair', tags: entry.tags ?? [], meta: entry.meta ?? { review: 'accepted' }, extra: entry.extra ?? {}, hash: entry.hash ?? '', ...entry } as Entry;
}

function lines(entry: PreferenceEntry, kind: 'dpo' | 'kto'): string[] {
	const outcome = kind === 'dpo' ? writeDpo(asEntry(entry)) : writeKto(asEntry(entry));
	return outcome.kind === 'written' ? outcome.lines : [];
}

/** The DPO record of a pair entry, or null for any other entry. */
export function toDpoRecord(entry: PreferenceEntry): Record<string, unknown> | null {
	const [line] = lines(entry, 'dpo');
	return line === undefined ? null : (JSON.parse(line) as Record<string, unknown>);
}

/** JSONL of the entries' DPO (pairs) or KTO (labels; a pair unpairs into two lines) records. */
export function preferenceJsonl(entries: readonly PreferenceEntry[], kind: 'dpo' | 'kto'): string {
	const all = entries.flatMap((entry) => lines(entry, kind));
	return all.length ? `${all.join('\n')}\n` : '';
}
