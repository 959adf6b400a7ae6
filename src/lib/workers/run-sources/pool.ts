/**
 * Prompt pools as a run source. A pool is never loaded whole: a seeded stratified sample is
 * planned from the pool's counts per rating (params `n` and `mix`, seeded by the run seed), then
 * only the chosen items are read (with `reach`, only those of its first picks). The plan's notes (short strata, a pool smaller than n) go to
 * the run's log.
 */
import { planPoolSample } from '$lib/core/recipes/prompt-pool';
import type { Stratum } from '$lib/core/recipes/sources';
import { getPool, poolItemsAt } from '$lib/db/pools-repo';
import type { SourceKind } from './types';

/** The sample size and mix the params ask for (the whole pool, unmixed, when they do not say). */
export function poolAsk(params: unknown, poolSize: number): { n: number; mix: Stratum[] } {
	const asked = (params ?? {}) as { n?: unknown; mix?: unknown };
	return {
		n: typeof asked.n === 'number' && asked.n > 0 ? asked.n : poolSize,
		mix: Array.isArray(asked.mix) ? (asked.mix as Stratum[]) : []
	};
}

/**
 * The last plan made, by what decides it: an unlimited run over a large pool reads it block by
 * block (run-feed.ts), and planning a million picks again for every block of 2,000 would cost
 * more than the block.
 */
let lastPlan: { key: string; plan: ReturnType<typeof planPoolSample> } | null = null;

function planFor(poolId: string, ratingCounts: Record<string, number>, mix: Stratum[], n: number, seed: number): ReturnType<typeof planPoolSample> {
	const key = JSON.stringify([poolId, ratingCounts, mix, n, seed]);
	if (lastPlan?.key !== key) lastPlan = { key, plan: planPoolSample(ratingCounts, mix, n, seed) };
	return lastPlan.plan;
}

export const poolSource: SourceKind<'pool', 'pools'> = {
	noun: 'prompt pool',
	slot: 'pools',
	async load(ref, { db, params, settings, note, reach, from }) {
		const pool = await getPool(db, ref.id);
		if (!pool) return null;
		const { n, mix } = poolAsk(params, pool.count);
		const plan = planFor(pool.id, pool.ratingCounts, mix, n, settings.seed);
		for (const line of plan.notes) note(`Prompt pool "${pool.name}": ${line}`);
		// A run limited to N records reads only the items of the plan's first N picks.
		// A block of an unlimited run (`from`) reads the picks from there on.
		const end = reach !== undefined && reach < plan.picks.length ? Math.max(0, Math.floor(reach)) : plan.picks.length;
		const picks = plan.picks.slice(Math.min(end, Math.max(0, Math.floor(from ?? 0))), end);
		const items = await poolItemsAt(db, pool.id, picks);
		return { name: pool.name, value: { poolId: pool.id, name: pool.name, items }, ...(end < plan.picks.length ? { more: true } : {}) };
	}
};
