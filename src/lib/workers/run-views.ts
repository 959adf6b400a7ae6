/**
 * Runs, records and samples as the pages see them (core/contracts/run-api): stored rows less what
 * stays in the worker (log, heartbeat, source names), a record's summary with its progress, and
 * a sample as a review item.
 */
import { tallyRequests } from '$lib/core/runs/request-tally';
import type { RunCounts, RunRecordRow, RunRow, RunSampleRow } from '$lib/core/contracts/rows';
import type { ReviewItem, RunRecordSummary } from '$lib/core/contracts/run-api';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import { expectedStepsOf } from '$lib/core/recipes/run-request';
import type { RunUsage, StoredRunRow } from '$lib/db/runs-repo';

export function publicRun(run: StoredRunRow): RunRow {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars
	const { log, heartbeatAt, sourceNames, ...rest } = run;
	// The page never reads the manifest's document hashes, and a run over a large dataset has
	// one per entry: they stay in the worker (megabytes on every reload of the run view otherwise).
	return { ...rest, manifest: { ...run.manifest, documents: {} } };
}

export function usageOf(counts: RunCounts): RunUsage {
	return { engineCalls: counts.engineCalls, cacheHits: counts.cacheHits, promptTokens: counts.promptTokens, completionTokens: counts.completionTokens, engineMs: counts.engineMs };
}

export function summaryOf(record: RunRecordRow, sampleCount: number, recipe?: AnyRecipe): RunRecordSummary {
	const expectedSteps = expectedStepsOf(recipe, record.input);
	return {
		recordIndex: record.recordIndex,
		recordId: record.recordId,
		label: record.label,
		state: record.state,
		stepCount: record.steps.length,
		...(expectedSteps !== undefined ? { expectedSteps } : {}),
		sampleCount,
		notes: record.notes,
		...(record.error ? { error: record.error } : {}),
		...(record.stats ? { stats: record.stats } : {}),
		requests: tallyRequests(record.steps)
	};
}

/** The label of a record the list of labels lacks. */
export const recordFallbackLabel = (recordIndex: number) => `Record ${recordIndex + 1}`;

export function reviewItemOf(row: RunSampleRow, label: string): ReviewItem {
	return {
		id: row.id,
		runId: row.runId,
		recordIndex: row.recordIndex,
		recordLabel: label,
		sampleIndex: row.sampleIndex,
		sample: row.sample,
		review: row.review,
		...(row.edited ? { edited: row.edited } : {}),
		...(row.acceptedInto ? { acceptedInto: row.acceptedInto } : {})
	};
}
