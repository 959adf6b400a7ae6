/**
 * The contract between the file importer and the per-format adapters.
 *
 * An adapter turns one parsed record into messages plus the keys it did not consume (`extra`),
 * calling `note` for every conversion or guess it makes so the import report can list them.
 * Failure is a plain string (the reason shown in the report), which keeps the hot path free of
 * exceptions and allocations.
 */
import type { Message, Preference } from '../model';
import type { JsonRecord } from '../json-safety';

export interface ConversionContext {
	/** Records a conversion or guess ("ShareGPT speaker mapped: human → user"). */
	note(text: string): void;
	/**
	 * A message whose content was a number, a boolean or an object in the file and was imported as
	 * its JSON text (or was missing and became null: `was` is "missing"); the importer keeps the
	 * list on the entry (`meta.contentConverted`) so the rules can flag it as the file had it.
	 */
	convertedContent?(message: Message, was: string): void;
}

/** How a message's non-text content was imported: the message index and the JSON type it had. */
export interface ContentConversion {
	message: number;
	was: string;
	/** What it became (the flag holds only while the message still says exactly this); null for a missing content. */
	text: string | null;
}

/** Number, boolean or object content → its JSON text (the conversation stays readable). */
export function contentAsText(raw: unknown): string {
	return JSON.stringify(raw) ?? '';
}

export interface ConvertedRecord {
	messages: Message[];
	/** Unknown top-level keys of the record, preserved for export. */
	extra: JsonRecord;
	/** Generation provenance, for `entry.meta.provenance`. */
	provenance?: JsonRecord;
	/** Preference data (`formats/preference.ts`): a pair, or a KTO label. */
	preference?: Preference;
}

/** A converted record, or the reason it could not be converted. */
export type Conversion = ConvertedRecord | string;

/** Keys listed in an "unknown shape" reason, each shortened. */
export function describeKeys(record: JsonRecord): string {
	const keys = Object.keys(record);
	if (keys.length === 0) return 'none';
	const shown = keys.slice(0, 8).map((key) => (key.length > 30 ? key.slice(0, 30) + '…' : key));
	return keys.length > 8 ? `${shown.join(', ')}, … ${keys.length - 8} more` : shown.join(', ');
}
