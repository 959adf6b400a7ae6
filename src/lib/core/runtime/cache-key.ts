/**
 * Response cache keys and the cache interface. A resumed or re-run record replays its task; each
 * step asks the cache first, keyed by model + messages + sampling + response format + step index,
 * so nothing already answered is paid for twice.
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

/** Where answered steps are kept. Async so an IndexedDB implementation fits the same shape. */
export interface ResponseCache {
	get(key: string): Promise<ChatResponse | undefined>;
	set(key: string, response: ChatResponse): Promise<void>;
	delete(key: string): Promise<void>;
}

export class InMemoryResponseCache implements ResponseCache {
	private readonly entries = new Map<string, ChatResponse>();

	get size(): number {
		return this.entries.size;
	}

	async get(key: string): Promise<ChatResponse | undefined> {
		return this.entries.get(key);
	}

	async set(key: string, response: ChatResponse): Promise<void> {
		this.entries.set(key, response);
	}

	async delete(key: string): Promise<void> {
		this.entries.delete(key);
	}
}
