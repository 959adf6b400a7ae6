/**
 * What the parts of the run service share (workers/run-service.ts builds it once): the database,
 * the data service (dataset pages, undoable inserts), the options, the clock, the recipes and the
 * watchers' event channel.
 */
import type { ChatRequest, Engine } from '$lib/core/contracts/engine';
import type { EngineChoice } from '$lib/core/contracts/rows';
import type { RunEvent } from '$lib/core/contracts/run-api';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import type { RetryPolicy } from '$lib/core/runtime/retry';
import type { SkeinDatabase } from '$lib/db/database';
import type { DataService } from './data-service';

export interface RunServiceOptions {
	recipes?: readonly AnyRecipe[];
	/** Retry policy of the dispatcher (tests shorten the backoff). */
	retry?: Partial<RetryPolicy>;
	/**
	 * Builds the engine of 'test' runs from the recipe's rehearsal answer; the default is the
	 * rehearsal engine with the choice's delay/failEvery/badJsonEvery. Tests script failures here.
	 */
	testEngine?: (choice: Extract<EngineChoice, { kind: 'test' }>, reply: (request: ChatRequest, random: number) => string) => Engine;
	/** For endpoint engines (tests). */
	fetch?: typeof fetch;
	now?: () => number;
	/** How often a live run's row says it is alive. */
	heartbeatMs?: number;
	/** A running/paused run whose heartbeat is older than this, and not live here, was left by a closed tab. */
	abandonedAfterMs?: number;
	/** Minimum time between progress events of one run. */
	progressIntervalMs?: number;
	/** How long a run's computed staleness is reused (ms). */
	statusTtlMs?: number;
	/** How long run events wait to go to the pages together (run-watchers.ts; 0: each at once). */
	eventFlushMs?: number;
	/** Source positions per block of a fed run (run-feed.ts; tests use small ones). */
	feedBlocks?: { first: number; next: number };
}

/** What the run service needs of the data service: dataset pages (sources) and curate (accept). */
export type RunData = Pick<DataService, 'getPage' | 'curate'>;

export interface RunContext {
	db: SkeinDatabase;
	data: RunData;
	options: RunServiceOptions;
	now: () => number;
	recipe(id: string): AnyRecipe | undefined;
	/** Pushes an event to every watcher. */
	emit(event: RunEvent): void;
}

/** The answer of an action on a run that no longer exists. */
export function runGone(): { ok: false; error: string } {
	return { ok: false, error: 'That run no longer exists.' };
}
