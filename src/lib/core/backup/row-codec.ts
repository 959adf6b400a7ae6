/**
 * Rows as JSON and back. Most tables hold JSON data already (`plain`); the others may carry
 * values JSON cannot (`tagged`): a Blob (an imported original, a card image) becomes a reference
 * to a stored zip entry, a typed array (a pool's rating index) its numbers, a Date its time. An
 * object of the user's that happens to have a `$skein` key is wrapped so it is never mistaken for
 * one of these.
 */
const TAG = '$skein';

type TypedArrayName = 'Uint8Array' | 'Uint16Array' | 'Uint32Array' | 'Int32Array' | 'Float64Array';
const TYPED: Record<TypedArrayName, new (values: number[]) => ArrayBufferView> = {
	Uint8Array,
	Uint16Array,
	Uint32Array,
	Int32Array,
	Float64Array
};

/** Encodes a tagged row; `storeBlob` keeps the Blob as a zip entry and returns its path. */
export function encodeTagged(value: unknown, storeBlob: (blob: Blob) => string): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => encodeTagged(item, storeBlob));
	if (value instanceof Blob) return { [TAG]: 'blob', path: storeBlob(value), type: value.type, size: value.size };
	if (value instanceof Date) return { [TAG]: 'date', ms: value.getTime() };
	if (ArrayBuffer.isView(value)) {
		const name = value.constructor.name as TypedArrayName;
		if (!(name in TYPED)) throw new TypeError(`A ${name} cannot be backed up.`);
		return { [TAG]: 'typed', kind: name, values: Array.from(value as unknown as ArrayLike<number>) };
	}
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = encodeTagged(item, storeBlob);
	return TAG in out ? { [TAG]: 'object', value: out } : out;
}

/** Decodes a tagged row; `loadBlob` gives the Blob stored at a path (throws when there is none). */
export function decodeTagged(value: unknown, loadBlob: (path: string, type: string, size: number) => Blob): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => decodeTagged(item, loadBlob));
	const record = value as Record<string, unknown>;
	if (TAG in record) {
		switch (record[TAG]) {
			case 'blob':
				return loadBlob(String(record.path), String(record.type ?? ''), Number(record.size));
			case 'date':
				return new Date(Number(record.ms));
			case 'typed': {
				const ctor = TYPED[record.kind as TypedArrayName];
				if (!ctor || !Array.isArray(record.values)) throw new TypeError('A typed array in the backup is damaged.');
				return new ctor(record.values as number[]);
			}
			case 'object':
				return decodePlainObject(record.value, loadBlob);
			default:
				throw new TypeError(`Unknown value tag ${JSON.stringify(record[TAG])} in the backup.`);
		}
	}
	return decodePlainObject(record, loadBlob);
}

function decodePlainObject(value: unknown, loadBlob: (path: string, type: string, size: number) => Blob): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = decodeTagged(item, loadBlob);
	return out;
}

/** An encoded row with its Blob references' paths blanked: two rows with the same Blobs (by type and size) compare equal wherever the Blobs are stored. */
export function withoutBlobPaths(value: unknown): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map(withoutBlobPaths);
	const record = value as Record<string, unknown>;
	if (record[TAG] === 'blob') return { ...record, path: 'blob' };
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(record)) out[key] = withoutBlobPaths(item);
	return out;
}
