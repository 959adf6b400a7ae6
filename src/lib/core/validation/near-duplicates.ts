/**
 * Near-duplicate detection: MinHash signatures over word shingles, bucketed with LSH banding,
 * candidates confirmed by signature agreement, and grouped with union-find.
 *
 * Built to stream 100k+ entries in a worker:
 * - one-permutation hashing (each shingle is hashed once and lands in one of `numHashes` bins,
 *   empty bins are filled by rotation densification) instead of `numHashes` hash functions per
 *   shingle, so a signature costs about one multiply chain per word;
 * - words are hashed while scanning the text (no substrings, no regex, no shingle strings);
 * - signatures live in one growing Uint32Array (`numHashes` × 4 bytes per entry: 256 B at 64);
 * - bucketing sorts one Float64Array per band (key × 2²¹ + index) instead of building maps.
 *
 * Similarity is the estimated Jaccard of the shingle sets (share of equal signature slots), so
 * pairs near the threshold may fall on either side (±0.05 at 64 slots).
 */

export interface NearDuplicateOptions {
	/** Jaccard similarity from which two texts are near-duplicates. Default 0.8. */
	threshold?: number;
	/** Signature length; a power of two from 16 to 1024. Default 64. */
	numHashes?: number;
	/** Words per shingle. Default 3. */
	shingleSize?: number;
}

export interface NearDuplicateMember {
	id: string;
	/** Estimated Jaccard similarity to the group's first entry (1 for the first itself). */
	similarity: number;
}

/** Entries that are near-duplicates of one another, in the order they were added. */
export interface NearDuplicateGroup {
	members: NearDuplicateMember[];
}

const MAX_ENTRIES = 1 << 21; // the band sort packs the entry index into 21 bits
const EMPTY = 0xffffffff;

function fmix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** Separators: ASCII non-alphanumerics (apostrophes and underscores join words), spaces, and general punctuation. */
function isWordCode(code: number): boolean {
	if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 39 || code === 95;
	if (code === 0x2019) return true;
	return !(code === 160 || (code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff0f));
}

/** Chooses bands × rows ≤ numHashes minimising weighted false-positive and false-negative areas. */
const bandingCache = new Map<string, { bands: number; rows: number }>();

export function chooseBanding(threshold: number, numHashes: number): { bands: number; rows: number } {
	const key = `${threshold}/${numHashes}`;
	const cached = bandingCache.get(key);
	if (cached !== undefined) return cached;
	const steps = 100;
	const area = (from: number, to: number, f: (s: number) => number): number => {
		const width = (to - from) / steps;
		let sum = 0;
		for (let i = 0; i < steps; i++) sum += f(from + (i + 0.5) * width) * width;
		return sum;
	};
	let best = { bands: 1, rows: numHashes, cost: Infinity };
	for (let bands = 1; bands <= numHashes; bands++) {
		for (let rows = 1; rows * bands <= numHashes; rows++) {
			const falsePositive = area(0, threshold, (s) => 1 - Math.pow(1 - Math.pow(s, rows), bands));
			const falseNegative = area(threshold, 1, (s) => Math.pow(1 - Math.pow(s, rows), bands));
			// Candidates are confirmed afterwards, so a missed pair costs more than a spurious one.
			const cost = 0.1 * falsePositive + 0.9 * falseNegative;
			if (cost < best.cost) best = { bands, rows, cost };
		}
	}
	const banding = { bands: best.bands, rows: best.rows };
	bandingCache.set(key, banding);
	return banding;
}

/** Computes one MinHash signature from texts fed in order. */
export class MinHasher {
	readonly numHashes: number;
	private readonly shift: number;
	private readonly shingleSize: number;
	private readonly bins: Uint32Array;
	private readonly ring: Int32Array;
	private words = 0;
	private shingles = 0;

	constructor(numHashes = 64, shingleSize = 3) {
		if (!(numHashes >= 16 && numHashes <= 1024 && (numHashes & (numHashes - 1)) === 0)) throw new RangeError('numHashes must be a power of two from 16 to 1024');
		this.numHashes = numHashes;
		this.shift = 32 - Math.log2(numHashes);
		this.shingleSize = Math.max(1, Math.min(8, Math.floor(shingleSize)));
		this.bins = new Uint32Array(numHashes);
		this.ring = new Int32Array(this.shingleSize);
		this.reset();
	}

	reset(): void {
		this.bins.fill(EMPTY);
		this.words = 0;
		this.shingles = 0;
	}

	private addShingle(hash: number): void {
		const mixed = fmix32(hash);
		const bin = mixed >>> this.shift;
		const value = fmix32(mixed ^ 0x9e3779b9);
		if (value < this.bins[bin]) this.bins[bin] = value;
		this.shingles++;
	}

	private addWord(hash: number): void {
		const size = this.shingleSize;
		this.ring[this.words % size] = hash;
		this.words++;
		if (this.words < size) return;
		let shingle = 0x811c9dc5;
		for (let j = this.words - size; j < this.words; j++) shingle = Math.imul(shingle ^ this.ring[j % size], 0x01000193);
		this.addShingle(shingle);
	}

	/** Adds the words of `text` (ASCII letters lower-cased). Words continue across calls' boundaries. */
	addText(text: string): void {
		let hash = 0;
		let inWord = false;
		for (let i = 0; i < text.length; i++) {
			let code = text.charCodeAt(i);
			if (isWordCode(code)) {
				if (code >= 65 && code <= 90) code += 32;
				else if (code === 0x2019) code = 39;
				hash = inWord ? Math.imul(hash ^ code, 0x01000193) : Math.imul(0x811c9dc5 ^ code, 0x01000193);
				inWord = true;
			} else if (inWord) {
				this.addWord(hash);
				inWord = false;
			}
		}
		if (inWord) this.addWord(hash);
	}

	/**
	 * Writes the signature to `out` at `offset` and returns the number of shingles (0: the texts
	 * had no words, and nothing was written). Texts shorter than a shingle count as one shingle.
	 */
	finish(out: Uint32Array, offset: number): number {
		if (this.shingles === 0) {
			if (this.words === 0) return 0;
			let shingle = 0x811c9dc5;
			for (let j = 0; j < this.words; j++) shingle = Math.imul(shingle ^ this.ring[j], 0x01000193);
			this.addShingle(shingle);
		}
		const k = this.numHashes;
		const bins = this.bins;
		// Rotation densification: an empty bin borrows the next filled bin's value, salted by the distance.
		for (let i = 0; i < k; i++) {
			let value = bins[i];
			if (value === EMPTY) {
				let distance = 1;
				while (bins[(i + distance) % k] === EMPTY) distance++;
				value = fmix32(bins[(i + distance) % k] + Math.imul(distance, 0x9e3779b1));
			}
			out[offset + i] = value;
		}
		return this.shingles;
	}
}

/**
 * Streams texts in, groups near-duplicates at the end. Each `add` costs one signature; `groups`
 * costs one sort per band.
 */
export class NearDuplicateIndex {
	readonly threshold: number;
	readonly numHashes: number;
	readonly bands: number;
	readonly rows: number;
	private readonly hasher: MinHasher;
	private signatures: Uint32Array;
	private readonly ids: string[] = [];

	constructor(options: NearDuplicateOptions = {}) {
		this.threshold = Math.min(1, Math.max(0.05, options.threshold ?? 0.8));
		this.numHashes = options.numHashes ?? 64;
		this.hasher = new MinHasher(this.numHashes, options.shingleSize ?? 3);
		const banding = chooseBanding(this.threshold, this.numHashes);
		this.bands = banding.bands;
		this.rows = banding.rows;
		this.signatures = new Uint32Array(this.numHashes * 64);
	}

	get size(): number {
		return this.ids.length;
	}

	/** Adds one document made of several texts (an entry's messages). Returns false when it has no words or the index is full. */
	add(id: string, texts: Iterable<string>): boolean {
		if (this.ids.length >= MAX_ENTRIES) return false;
		this.hasher.reset();
		for (const text of texts) this.hasher.addText(text);
		const offset = this.ids.length * this.numHashes;
		if (offset + this.numHashes > this.signatures.length) {
			const grown = new Uint32Array(this.signatures.length * 2);
			grown.set(this.signatures);
			this.signatures = grown;
		}
		if (this.hasher.finish(this.signatures, offset) === 0) return false;
		this.ids.push(id);
		return true;
	}

	/** Estimated Jaccard similarity of two added documents (by index). */
	similarity(a: number, b: number): number {
		const k = this.numHashes;
		const sig = this.signatures;
		let equal = 0;
		for (let i = 0, pa = a * k, pb = b * k; i < k; i++) if (sig[pa + i] === sig[pb + i]) equal++;
		return equal / k;
	}

	groups(): NearDuplicateGroup[] {
		const n = this.ids.length;
		if (n < 2) return [];
		const parent = new Int32Array(n);
		for (let i = 0; i < n; i++) parent[i] = i;
		const find = (x: number): number => {
			while (parent[x] !== x) {
				parent[x] = parent[parent[x]];
				x = parent[x];
			}
			return x;
		};
		const union = (a: number, b: number): void => {
			const ra = find(a);
			const rb = find(b);
			// The smaller index (added first) stays the root, so it is each group's first member.
			if (ra < rb) parent[rb] = ra;
			else if (rb < ra) parent[ra] = rb;
		};
		const confirm = (a: number, b: number): void => {
			if (find(a) !== find(b) && this.similarity(a, b) >= this.threshold) union(a, b);
		};

		const k = this.numHashes;
		const sig = this.signatures;
		const packed = new Float64Array(n);
		for (let band = 0; band < this.bands; band++) {
			const start = band * this.rows;
			for (let d = 0; d < n; d++) {
				let key = 0x811c9dc5 ^ band;
				for (let r = 0, p = d * k + start; r < this.rows; r++) key = fmix32(Math.imul(key, 0x01000193) ^ sig[p + r]);
				packed[d] = key * MAX_ENTRIES + d;
			}
			packed.sort();
			// In a run of equal keys, compare each member with the run's first and with its
			// predecessor: linear in the run, and enough for union-find to join chains.
			let runStart = 0;
			for (let i = 1; i <= n; i++) {
				const sameKey = i < n && Math.floor(packed[i] / MAX_ENTRIES) === Math.floor(packed[runStart] / MAX_ENTRIES);
				if (sameKey) continue;
				if (i - runStart > 1) {
					const first = packed[runStart] % MAX_ENTRIES;
					for (let j = runStart + 1; j < i; j++) {
						const member = packed[j] % MAX_ENTRIES;
						confirm(first, member);
						if (j > runStart + 1) confirm(packed[j - 1] % MAX_ENTRIES, member);
					}
				}
				runStart = i;
			}
		}

		const byRoot = new Map<number, number[]>();
		for (let i = 0; i < n; i++) {
			const root = find(i);
			if (root !== i) {
				let members = byRoot.get(root);
				if (members === undefined) byRoot.set(root, (members = [root]));
				members.push(i);
			}
		}
		const groups: NearDuplicateGroup[] = [];
		for (const [root, members] of [...byRoot.entries()].sort((a, b) => a[0] - b[0])) {
			groups.push({ members: members.map((m) => ({ id: this.ids[m], similarity: m === root ? 1 : this.similarity(root, m) })) });
		}
		return groups;
	}
}
