/**
 * Fast non-cryptographic content hashing for entries (dedup, staleness).
 *
 * A 64-bit variant of cyrb53: two independent 32-bit multiply-xor(-shift) lanes, finalised with
 * the cyrb53 avalanche. It reads two UTF-16 code units per step (one 32-bit word), which halves the
 * number of multiplications; on V8 this hashes hundreds of MB of text per second, so hashing every
 * imported entry costs a fraction of the `JSON.parse` that produced it. Not for security.
 */
import type { Message } from './model';

/** Incremental hasher. Each `update` also mixes in the length of its input, so the boundaries
 * between pieces are part of the hash ("ab" + "c" differs from "a" + "bc"). */
export class ContentHasher {
	private h1: number;
	private h2: number;

	constructor(seed = 0) {
		this.h1 = 0xdeadbeef ^ seed;
		this.h2 = 0x41c6ce57 ^ seed;
	}

	update(text: string): this {
		let h1 = this.h1;
		let h2 = this.h2;
		const n = text.length;
		let i = 0;
		for (; i + 1 < n; i += 2) {
			const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
			// The xor-shift folds high bits down, so the second code unit of a word (the high
			// half) reaches every bit of the state, not only the upper 16.
			h1 = Math.imul(h1 ^ word, 2654435761);
			h1 ^= h1 >>> 15;
			h2 = Math.imul(h2 ^ word, 1597334677);
			h2 ^= h2 >>> 13;
		}
		if (i < n) {
			const word = text.charCodeAt(i);
			h1 = Math.imul(h1 ^ word, 2654435761);
			h2 = Math.imul(h2 ^ word, 1597334677);
		}
		this.h1 = h1;
		this.h2 = h2;
		return this.mix(n);
	}

	/** Mixes a number (a length, a type tag) into both lanes. */
	mix(value: number): this {
		this.h1 = Math.imul(this.h1 ^ value ^ 0x9e3779b9, 2654435761);
		this.h2 = Math.imul(this.h2 ^ value ^ 0x7f4a7c15, 1597334677);
		return this;
	}

	/** 16 lowercase hex digits. Does not change the state. */
	digest(): string {
		return finish(this.h1, this.h2);
	}
}

/**
 * `hashText` of a text given in pieces: `write` the pieces in order and `digest` gives what
 * hashText gives for them joined (unlike ContentHasher.update, piece boundaries do not count), so
 * a long text (a run's whole input set as JSON) is hashed as it is read, never built whole.
 */
export class TextStreamHasher {
	private h1 = 0xdeadbeef;
	private h2 = 0x41c6ce57;
	/** A code unit waiting for its pair (-1: none). */
	private pending = -1;
	private length = 0;

	write(text: string): this {
		let h1 = this.h1;
		let h2 = this.h2;
		const n = text.length;
		let i = 0;
		if (this.pending >= 0 && n > 0) {
			const word = this.pending | (text.charCodeAt(0) << 16);
			h1 = Math.imul(h1 ^ word, 2654435761);
			h1 ^= h1 >>> 15;
			h2 = Math.imul(h2 ^ word, 1597334677);
			h2 ^= h2 >>> 13;
			this.pending = -1;
			i = 1;
		}
		for (; i + 1 < n; i += 2) {
			const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
			h1 = Math.imul(h1 ^ word, 2654435761);
			h1 ^= h1 >>> 15;
			h2 = Math.imul(h2 ^ word, 1597334677);
			h2 ^= h2 >>> 13;
		}
		if (i < n) this.pending = text.charCodeAt(i);
		this.h1 = h1;
		this.h2 = h2;
		this.length += n;
		return this;
	}

	/** A hasher in the same state (to finish one way while this one goes on). */
	clone(): TextStreamHasher {
		const copy = new TextStreamHasher();
		copy.h1 = this.h1;
		copy.h2 = this.h2;
		copy.pending = this.pending;
		copy.length = this.length;
		return copy;
	}

	/** hashText of everything written so far. Does not change the state. */
	digest(): string {
		let h1 = this.h1;
		let h2 = this.h2;
		if (this.pending >= 0) {
			h1 = Math.imul(h1 ^ this.pending, 2654435761);
			h2 = Math.imul(h2 ^ this.pending, 1597334677);
		}
		h1 = Math.imul(h1 ^ this.length ^ 0x9e3779b9, 2654435761);
		h2 = Math.imul(h2 ^ this.length ^ 0x7f4a7c15, 1597334677);
		return finish(h1, h2);
	}
}

/** The cyrb53 avalanche of both lanes, as 16 hex digits. */
function finish(h1: number, h2: number): string {
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
	h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
	h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return toHex8(h2) + toHex8(h1);
}

function toHex8(value: number): string {
	return (value >>> 0).toString(16).padStart(8, '0');
}

/** Type tags, so that the string "null" and a null content hash differently. */
const TEXT_CONTENT = 1;
const OTHER_CONTENT = 2;
const TOOL_CALLS = 3;

/**
 * The content hash of a conversation: every message's role and content (non-string content as
 * JSON), plus `tool_calls` where present (tool-call turns often have null content, and two
 * different calls are not duplicates). Names, weights and metadata do not count.
 */
export function hashMessages(messages: readonly Message[]): string {
	const hasher = new ContentHasher();
	for (const message of messages) {
		hasher.update(message.role);
		const content = message.content;
		if (typeof content === 'string') hasher.mix(TEXT_CONTENT).update(content);
		else hasher.mix(OTHER_CONTENT).update(JSON.stringify(content) ?? 'null');
		const toolCalls = message.tool_calls;
		if (toolCalls !== undefined) hasher.mix(TOOL_CALLS).update(JSON.stringify(toolCalls) ?? '');
	}
	return hasher.mix(messages.length).digest();
}

/** Hash of one string (file contents, prompts). */
export function hashText(text: string): string {
	return new ContentHasher().update(text).digest();
}
