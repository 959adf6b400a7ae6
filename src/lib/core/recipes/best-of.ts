/**
 * Best-of-N (issue 16): a recipe writes N candidate answers per record instead of one, the judge
 * scores them all (withJudge judges every sample of a record), and the preference builder pairs
 * the best with the worst. Each candidate is asked with its own sampling seed — the run's seed
 * (or the sampling's) plus the candidate's position — so a seeded endpoint does not answer N times
 * the same, and a re-run asks each candidate exactly what it asked before.
 */
import { z } from 'zod';
import type { Sampling } from '../contracts/engine';

export const MAX_BEST_OF = 16;

/** Candidates per record; 1 = the recipe's usual single answer (and its requests unchanged). */
export const BestOfSchema = z.number().int().min(1).max(MAX_BEST_OF).default(1);

export function candidateSampling(sampling: Sampling, runSeed: number, candidate: number, bestOf: number): Sampling {
	if (bestOf <= 1) return sampling;
	return { ...sampling, seed: ((sampling.seed ?? runSeed) + candidate) | 0 };
}

/** What a candidate sample's meta says about its place among the record's answers. */
export function candidateMeta(candidate: number, bestOf: number): Record<string, number> {
	return bestOf > 1 ? { candidate: candidate + 1, of: bestOf } : {};
}

export const BEST_OF_NEEDS_JUDGE = 'Best-of-N needs the judge to score the answers: switch the judge on, or write one answer per prompt.';
