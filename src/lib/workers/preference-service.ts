/**
 * Building preference data (issue 16) in the data worker: proposals from a dataset's SillyTavern
 * swipes or from a run's samples (core/preference), and, once the user has confirmed, swapped or
 * dropped them on the page, the confirmed pairs and labels added to a dataset as one undoable
 * step (add-entries.ts).
 */
import type { SkeinDatabase } from '$lib/db/database';
import { getDataset } from '$lib/db/datasets-repo';
import { getRun, listSamples, recordLabels } from '$lib/db/runs-repo';
import { draftToEntry, type DraftBuild, type PreferenceDraft } from '$lib/core/preference/drafts';
import { swipePairs } from '$lib/core/preference/swipe-pairs';
import { samplePreferences, type SamplePairOptions, type SampleSource } from '$lib/core/preference/sample-pairs';
import { PreferenceSchema, MessageSchema } from '$lib/core/model';
import { addEntriesAsOneStep, type Curator, type EntryTarget } from './add-entries';
import type { DataService } from './data-service';
import { datasetEntries } from './run-sources/dataset';
import { recordFallbackLabel } from './run-views';

export type PreferenceBuild = ({ ok: true; label: string } & DraftBuild) | { ok: false; error: string };
export type PreferenceCreated = { ok: true; datasetId: string; created: number } | { ok: false; error: string };

function refusal(error: unknown): { ok: false; error: string } {
	return { ok: false, error: error instanceof Error ? error.message : String(error) };
}

/** A draft as the page sent it back: checked before it becomes an entry. */
function checkDraft(draft: PreferenceDraft, at: number): string | null {
	const messages = MessageSchema.array();
	if (!messages.safeParse(draft.prompt).success || !draft.prompt.length) return `Pair ${at + 1}: its prompt is not a list of messages.`;
	const preference = draft.kind === 'pair' ? { kind: 'pair', chosen: draft.chosen, rejected: draft.rejected, origin: draft.origin } : { kind: 'label', label: draft.label, origin: draft.origin };
	if (!PreferenceSchema.safeParse(preference).success) return `Pair ${at + 1}: its answers are not messages.`;
	if (draft.kind === 'label' && !messages.safeParse(draft.completion).success) return `Label ${at + 1}: its completion is not a list of messages.`;
	return null;
}

export class PreferenceService {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly data: Pick<DataService, 'getPage'> & Curator
	) {}

	/** Pairs from the SillyTavern swipes kept in a dataset's entries (its working copy, edits included). */
	async fromSwipes(datasetId: string): Promise<PreferenceBuild> {
		try {
			const dataset = await getDataset(this.db, datasetId);
			if (!dataset || dataset.status !== 'ready') return { ok: false, error: 'That dataset no longer exists.' };
			const entries = await datasetEntries(this.data, datasetId, dataset.entryCount);
			return { ok: true, label: dataset.name, ...swipePairs(entries) };
		} catch (error) {
			return refusal(error);
		}
	}

	/** Pairs (or KTO labels) from a run's samples, the reviewer's edits and decisions included. */
	async fromRun(runId: string, source: SampleSource, options: SamplePairOptions = {}): Promise<PreferenceBuild> {
		try {
			const run = await getRun(this.db, runId);
			if (!run) return { ok: false, error: 'That run no longer exists.' };
			const [rows, labels] = await Promise.all([listSamples(this.db, runId), recordLabels(this.db, runId)]);
			const items = rows.map((row) => ({ ...row, recordLabel: labels.get(row.recordIndex) ?? recordFallbackLabel(row.recordIndex) }));
			const built = samplePreferences(source, items, options);
			for (const draft of built.drafts) draft.provenance = { runId, runLabel: run.label, recipeId: run.recipeId, ...draft.provenance };
			return { ok: true, label: run.label, ...built };
		} catch (error) {
			return refusal(error);
		}
	}

	/** Adds the confirmed drafts to a dataset (new or existing) as one undoable step. */
	async create(drafts: PreferenceDraft[], target: EntryTarget, now = Date.now()): Promise<PreferenceCreated> {
		if (!drafts.length) return { ok: false, error: 'There are no pairs to add: every proposal was dropped.' };
		for (const [at, draft] of drafts.entries()) {
			const problem = checkDraft(draft, at);
			if (problem) return { ok: false, error: problem };
		}
		try {
			const builtAt = new Date(now).toISOString();
			const pairs = drafts.filter((draft) => draft.kind === 'pair').length;
			const noun = pairs === drafts.length ? (pairs === 1 ? 'preference pair' : 'preference pairs') : pairs === 0 ? (drafts.length === 1 ? 'KTO label' : 'KTO labels') : 'preference entries';
			const added = await addEntriesAsOneStep(this.db, this.data, target, drafts.length, (ids) => drafts.map((draft, i) => draftToEntry(draft, ids[i], builtAt)), `Add ${drafts.length} ${noun}`, now);
			if (!added.ok) return added;
			return { ok: true, datasetId: added.datasetId, created: added.ids.length };
		} catch (error) {
			return refusal(error);
		}
	}
}

export function preferenceApi(db: SkeinDatabase, data: DataService) {
	const service = new PreferenceService(db, data);
	return {
		buildSwipePreferences: (datasetId: string) => service.fromSwipes(datasetId),
		buildRunPreferences: (runId: string, source: SampleSource, options?: SamplePairOptions) => service.fromRun(runId, source, options),
		createPreferenceEntries: (drafts: PreferenceDraft[], target: EntryTarget) => service.create(drafts, target)
	};
}
