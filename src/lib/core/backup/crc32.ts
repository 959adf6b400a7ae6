/**
 * CRC-32 (the zip checksum, polynomial 0xEDB88320), computed incrementally: a restore checks every
 * entry of a backup against the checksum its zip directory records, so a damaged or edited file is
 * refused before anything is written.
 */
const TABLE = (() => {
	const table = new Int32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c;
	}
	return table;
})();

export class Crc32 {
	#crc = -1;

	update(bytes: Uint8Array): this {
		let crc = this.#crc;
		for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
		this.#crc = crc;
		return this;
	}

	/** The checksum as the unsigned number zip stores. */
	digest(): number {
		return ~this.#crc >>> 0;
	}
}

export function crc32(bytes: Uint8Array): number {
	return new Crc32().update(bytes).digest();
}
