/**
 * Response cache keys and the cache interface. A resumed or re-run record replays its task; each
 * step asks the cache first, keyed by model + messages + sampling + response format + step index,
 * so nothing already answered is paid for twice.
 *
 * An answer the recipe could not use is kept, flagged `unusable`: a resume replays it (the recipe
 * rejects it again exactly as before and goes on the same way, paying nothing), but a retry round
 * ("Retry failed only", "Ask again") never replays it and asks the model again with the sampling
 * seed moved on (see `roundKey`).
 */
import type { ChatMessage, ChatResponse, ResponseFormat, Sampling } from '../contracts/engine';
import { ContentHasher } from '../hash';

export interface StepKeyInput {
	/** Identifies the model that answers (engine id, model name, quantisation…). */
	model: string;
	messages: readonly ChatMessage[];
	sampling: Sampling;
	responseFormat?: ResponseFormat;
	stepIndex: number;
}

/** JSON with object keys sorted, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
	if (value === undefined) return 'null';
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const entries = Object.entries(value as Record<string, unknown>)
		.filter(([, item]) => item !== undefined)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The cache key of one step (16 hex digits; see core/hash.ts). */
export function stepKey(input: StepKeyInput): string {
	const hasher = new ContentHasher();
	hasher.update(input.model);
	for (const message of input.messages) hasher.update(message.role).update(message.content);
	hasher.mix(input.messages.length);
	hasher.update(canonicalJson(input.sampling));
	hasher.update(canonicalJson(input.responseFormat ?? null));
	hasher.mix(input.stepIndex);
	return hasher.digest();
}

/**
 * The key of a step asked in retry round `round` (0 = the first run and its resumes) after
 * `bump` rejections within the round: the plain key, or the plain key with a suffix, so an answer
 * asked again never overwrites the one it replaces (and a seedless request still gets its own key).
 */
export function roundKey(key: string, round: number, bump = 0): string {
	return round === 0 && bump === 0 ? key : `${key}~${round}.${bump}`;
}

/**
 * How far a step's sampling seed moves in retry round `round` after `bump` rejections: rounds are
 * far apart so a round's re-asks never repeat the seeds of another round's.
 */
export const ROUND_SEED_STRIDE = 7919;
export function seedShift(round: number, bump: number): number {
	return round * ROUND_SEED_STRIDE + bump;
}

/** A stored answer; `unusable` says why the recipe could not use it. */
export interface CachedAnswer {
	response: ChatResponse;
	unusable?: string;
}

/** Where answered steps are kept. Async so an IndexedDB implementation fits the same shape. */
export interface ResponseCache {
	get(key: string): Promise<CachedAnswer | undefined>;
	set(key: string, response: ChatResponse): Promise<void>;
	/** Flags the answer under `key` (if any) as one the recipe could not use. */
	markUnusable(key: string, reason: string): Promise<void>;
	delete(key: string): Promise<void>;
}

export class InMemoryResponseCache implements ResponseCache {
	private readonly entries = new Map<string, CachedAnswer>();

	get size(): number {
		return this.entries.size;
	}

	async get(key: string): Promise<CachedAnswer | undefined> {
		const entry = this.entries.get(key);
		return entry && { ...entry };
	}

	async set(key: string, response: ChatResponse): Promise<void> {
		this.entries.set(key, { response });
	}

	async markUnusable(key: string, reason: string): Promise<void> {
		const entry = this.entries.get(key);
		if (entry) this.entries.set(key, { ...entry, unusable: reason });
	}

	async delete(key: string): Promise<void> {
		this.entries.delete(key);
	}
}
