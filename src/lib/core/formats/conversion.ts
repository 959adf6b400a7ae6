/**
 * The contract between the file importer and the per-format adapters.
 *
 * An adapter turns one parsed record into messages plus the keys it did not consume (`extra`),
 * calling `note` for every conversion or guess it makes so the import report can list them.
 * Failure is a plain string (the reason shown in the report), which keeps the hot path free of
 * exceptions and allocations.
 */
import type { Message } from '../model';
import type { JsonRecord } from '../json-safety';

export interface ConversionContext {
	/** Records a conversion or guess ("ShareGPT speaker mapped: human → user"). */
	note(text: string): void;
}

export interface ConvertedRecord {
	messages: Message[];
	/** Unknown top-level keys of the record, preserved for export. */
	extra: JsonRecord;
	/** Generation provenance, for `entry.meta.provenance`. */
	provenance?: JsonRecord;
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
