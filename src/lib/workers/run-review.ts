/**
 * Reviewing a run's samples and accepting them into a dataset: the accepted samples not yet
 * copied become entries with provenance (core/recipes/provenance.ts) in one undoable step
 * (add-entries.ts), and are marked with where they went.
 */
import type { RunSampleRow, SampleReview } from '$lib/core/contracts/rows';
import type { AcceptOutcome, AcceptTarget, ReviewItem } from '$lib/core/contracts/run-api';
import { acceptedEntry } from '$lib/core/recipes/provenance';
import type { AnyRecipe, DraftSample } from '$lib/core/recipes/recipe';
import { markSamples } from '$lib/core/runs/sample-marks';
import { getRecord, getRun, getSample, getSamples, listRecords, listSamples, markAccepted, putSamples, recordLabels, updateRun } from '$lib/db/runs-repo';
import { addEntriesAsOneStep } from './add-entries';
import { runGone, type RunContext } from './run-context';
import { recordFallbackLabel, reviewItemOf } from './run-views';

/**
 * A run's samples for review, each with its marks (grounding against its record's source when the
 * recipe names one, duplicate mark, length). The marks are computed over all the run's samples
 * even when one review state is asked for, so a duplicate stays marked after its original is decided.
 */
export async function listReviewItems(ctx: RunContext, runId: string, review?: SampleReview): Promise<ReviewItem[]> {
	const run = await getRun(ctx.db, runId);
	const recipe = run ? ctx.recipe(run.recipeId) : undefined;
	const [rows, labels, sources] = await Promise.all([listSamples(ctx.db, runId), recordLabels(ctx.db, runId), recipe?.groundingSource ? groundingSources(ctx, runId, recipe) : new Map()]);
	const marks = markSamples(
		rows.map((row) => ({ recordIndex: row.recordIndex, messages: row.sample.messages })),
		(recordIndex) => sources.get(recordIndex)
	);
	return rows.flatMap((row, i) => (review && row.review !== review ? [] : [{ ...reviewItemOf(row, labels.get(row.recordIndex) ?? recordFallbackLabel(row.recordIndex)), marks: marks[i] }]));
}

async function groundingSources(ctx: RunContext, runId: string, recipe: AnyRecipe): Promise<Map<number, { text: string; ignore?: string[] }>> {
	const sources = new Map<number, { text: string; ignore?: string[] }>();
	for (const record of await listRecords(ctx.db, runId)) {
		try {
			const source = recipe.groundingSource?.(record.input);
			if (source) sources.set(record.recordIndex, source);
		} catch {
			// An input from an older recipe version without the source: no grounding shown for it.
		}
	}
	return sources;
}

export async function reviewSample(ctx: RunContext, id: string, review: SampleReview, edited?: DraftSample['messages'] | null): Promise<ReviewItem | null> {
	const row = await getSample(ctx.db, id);
	if (!row) return null;
	const updated: RunSampleRow = { ...row, review };
	// An edit that leaves no message would become an entry with none: it clears the edit instead.
	if (edited === null || (Array.isArray(edited) && !edited.length)) delete updated.edited;
	else if (edited !== undefined) updated.edited = edited.map((message) => ({ role: message.role, content: String(message.content) }));
	await putSamples(ctx.db, [updated]);
	const record = await getRecord(ctx.db, row.runId, row.recordIndex);
	return reviewItemOf(updated, record?.label ?? recordFallbackLabel(row.recordIndex));
}

/** Sets the review of these samples; returns how many changed. */
export async function reviewSamples(ctx: RunContext, ids: string[], review: SampleReview): Promise<number> {
	const rows = (await getSamples(ctx.db, ids)).filter((row) => row.review !== review);
	await putSamples(
		ctx.db,
		rows.map((row) => ({ ...row, review }))
	);
	return rows.length;
}

/** Sets each sample's review to the one given (a bulk decision's undo) in one write; returns how many changed. */
export async function restoreReviews(ctx: RunContext, reviews: { id: string; review: SampleReview }[]): Promise<number> {
	const wanted = new Map(reviews.map((item) => [item.id, item.review]));
	const rows = (await getSamples(ctx.db, [...wanted.keys()])).filter((row) => row.review !== wanted.get(row.id));
	await putSamples(
		ctx.db,
		rows.map((row) => ({ ...row, review: wanted.get(row.id) as SampleReview }))
	);
	return rows.length;
}

/**
 * Copies the accepted samples not yet copied into a dataset, as entries with provenance, in
 * one undoable operation (a new dataset is created empty first, then filled by that operation).
 * The caller runs it after any other action on the run (run-service.ts `serial`).
 */
export async function acceptSamples(ctx: RunContext, runId: string, target: AcceptTarget): Promise<AcceptOutcome> {
	const { db, now } = ctx;
	const run = await getRun(db, runId);
	if (!run) return runGone();
	const recipe = ctx.recipe(run.recipeId);
	if ((recipe?.output ?? 'entries') === 'facts') return { ok: false, error: 'Facts are not accepted into a dataset: the accepted ones feed the follow-up run that asks questions about them.' };
	const samples = (await listSamples(db, runId, 'accepted')).filter((row) => !row.acceptedInto);
	if (!samples.length) return { ok: false, error: 'There are no accepted samples left to add.' };
	const records = new Map((await listRecords(db, runId)).map((record) => [record.recordIndex, record]));

	try {
		const acceptedAt = new Date(now()).toISOString();
		const label = `Accept ${samples.length} generated ${samples.length === 1 ? 'sample' : 'samples'} from "${run.label}"`;
		const destination: AcceptTarget = target.kind === 'new' ? { kind: 'new', name: target.name.trim() || run.label } : target;
		const added = await addEntriesAsOneStep(
			db,
			ctx.data,
			destination,
			samples.length,
			(ids) => samples.map((row, i) => acceptedEntry(run, recipe, records.get(row.recordIndex), row, ids[i], acceptedAt)),
			label,
			now()
		);
		if (!added.ok) return added;
		const { datasetId, ids } = added;
		const at = now();
		await markAccepted(
			db,
			samples.map((row, i) => ({ id: row.id, acceptedInto: { datasetId, entryId: ids[i], at } }))
		);
		if (!run.targetDatasetId) await updateRun(db, runId, { targetDatasetId: datasetId });
		return { ok: true, datasetId, accepted: ids.length };
	} catch (error) {
		return { ok: false, error: `Could not add the samples: ${error instanceof Error ? error.message : String(error)}` };
	}
}
