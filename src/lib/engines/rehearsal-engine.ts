/**
 * The rehearsal engine: a TestEngine answering with the recipe's canned answers (`rehearse`), so a
 * user can check a recipe's flow end to end without a model. It can be made to fail every Nth
 * request (a retryable 503) or answer unparsable JSON every Nth time, to see retries and error
 * records without a model. Judge requests get a rehearsal verdict whichever recipe asked.
 */
import { abortedError, EngineError, type ChatRequest, type ChatResponse, type Engine } from '$lib/core/contracts/engine';
import type { EngineChoice } from '$lib/core/contracts/rows';
import { isJudgeRequest, rehearseJudge } from '$lib/core/recipes/judge';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import { mulberry32 } from '$lib/core/random';
import { TestEngine } from './test-engine';

/** The tag every sample of a run on the rehearsal (test) engine gets. */
export const REHEARSAL_TAG = 'rehearsal';

/** Answers a request as the rehearsal does: judge requests with a verdict, the others with the recipe's canned answer. */
export type RehearsalReply = (request: ChatRequest, random: number) => string;

/** The rehearsal answers of a recipe (seeded by the engine's number in [0, 1) for the request). */
export function rehearsalReply(recipe: Pick<AnyRecipe, 'rehearse'>): RehearsalReply {
	return (request, random) => {
		const seeded = mulberry32(Math.floor(random * 2 ** 32));
		return isJudgeRequest(request) ? rehearseJudge(request, seeded) : recipe.rehearse(request, seeded);
	};
}

export class RehearsalEngine implements Engine {
	readonly id = 'test:rehearsal';
	readonly label: string;
	readonly kind = 'test' as const;
	readonly maxConcurrency = 64;
	readonly supportsJsonSchema = true;
	readonly inner: TestEngine;
	private readonly failEvery: number;
	private calls = 0;
	private replies = 0;

	constructor(choice: Extract<EngineChoice, { kind: 'test' }>, reply: RehearsalReply) {
		this.label = choice.label;
		const badJsonEvery = choice.options?.badJsonEvery ?? 0;
		this.failEvery = choice.options?.failEvery ?? 0;
		this.inner = new TestEngine({
			id: this.id,
			label: choice.label,
			model: 'rehearsal',
			delayMs: choice.options?.delayMs ?? 0,
			defaultReply: (request, random) => {
				this.replies++;
				if (badJsonEvery > 0 && this.replies % badJsonEvery === 0) return '{"answer": "unterminated';
				return reply(request, random);
			}
		});
	}

	async chat(request: ChatRequest): Promise<ChatResponse> {
		this.calls++;
		if (request.signal?.aborted) throw abortedError();
		if (this.failEvery > 0 && this.calls % this.failEvery === 0) {
			throw new EngineError('http', `HTTP 503 Service Unavailable (rehearsal: every ${this.failEvery}th request fails)`, { status: 503, retryAfterMs: 100 });
		}
		return this.inner.chat(request);
	}
}
