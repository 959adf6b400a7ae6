/**
 * Staleness of a generation run and the plan of "re-run what changed", pure. manifest.ts hashes
 * what a run's output depends on; this adds what it does not hash (who serves the model, the
 * seed, an edited record limit), says whether a run is current, partial or stale against the
 * manifest its current sources would give, and plans a re-run: which records run again, which
 * keep their samples and reviews (moved to their new position, keeping the random of the one
 * they first ran at), and which samples go. The run service (workers/) loads the sources and
 * stores the plan.
 */
import type { EngineChoice, RunCounts, RunRecordRow, RunSampleRow } from '../contracts/rows';
import type { RunSettings } from '../recipes/recipe';
import type { InputRecord } from './dispatcher';
import { modelOf } from './engine-choice';
import { buildManifest, compareManifests, hashValue, runStatus, type ManifestChange, type RunManifest, type RunStatus } from './manifest';

/**
 * A run's manifest with what manifest.ts does not hash: who serves the model (an endpoint's base
 * URL: the same model name at another provider may answer differently) and the seed. Runs stored
 * before these were added have neither, and are not called stale for them.
 */
export type StoredManifest = RunManifest & { provider?: string; seed?: number };

/** Who serves the model: an endpoint's base URL (no trailing slash), else the engine kind. */
export function providerOf(choice: EngineChoice): string {
	return choice.kind === 'endpoint' ? choice.baseUrl.trim().replace(/\/+$/, '') : choice.kind;
}

/** What compareManifests does not see: the provider, the seed, an edited record limit. */
export function settingsChanges(stored: StoredManifest, current: StoredManifest): { changes: ManifestChange[]; everything: boolean } {
	const changes: ManifestChange[] = [];
	let everything = false;
	if (stored.provider !== undefined && current.provider !== undefined && stored.provider !== current.provider && stored.modelLabel === current.modelLabel) {
		changes.push({ kind: 'model', reason: `The provider changed from ${stored.provider} to ${current.provider}.` });
		everything = true;
	}
	if (stored.seed !== undefined && current.seed !== undefined && stored.seed !== current.seed) {
		changes.push({ kind: 'params', reason: `The seed changed from ${stored.seed} to ${current.seed}.` });
		everything = true;
	}
	// An edited limit changes which records the run covers (a re-run runs the ones it now includes).
	const covered = (manifest: RunManifest) => (manifest.partial && manifest.limit !== undefined ? manifest.limit : manifest.inputCount);
	if (stored.limit !== current.limit && covered(stored) !== covered(current)) {
		changes.push({ kind: 'inputs', reason: `The record limit changed from ${stored.limit ?? 'none'} to ${current.limit ?? 'none'}.` });
	}
	return { changes, everything };
}

/** What a run is defined by (its row, or a run about to be stored). */
export interface RunDefinition {
	recipeId: string;
	params: unknown;
	engine: EngineChoice;
	settings: RunSettings;
}

/** The manifest of a run from what its recipe prepared (inputs before any limit). */
export function runManifest(run: RunDefinition, prepared: { definition: unknown; documents: Record<string, string>; inputs: readonly unknown[] }): StoredManifest {
	const manifest = buildManifest({
		recipeId: run.recipeId,
		definition: prepared.definition,
		params: run.params,
		documents: prepared.documents,
		model: { engineId: run.engine.kind, model: modelOf(run.engine), sampling: run.settings.sampling },
		inputs: prepared.inputs,
		...(run.settings.limit !== undefined ? { limit: run.settings.limit } : {})
	});
	return { ...manifest, provider: providerOf(run.engine), seed: run.settings.seed };
}

/** A stale status for these reasons. */
export function staleStatus(changes: ManifestChange[], partial: boolean): RunStatus {
	return { state: 'stale', changes, partial };
}

/** CURRENT / PARTIAL / STALE of a run whose stored manifest is `stored`, against `current`. */
export function statusAgainst(stored: StoredManifest, current: StoredManifest): RunStatus {
	const status = runStatus(stored, current);
	const { changes } = settingsChanges(stored, current);
	if (!changes.length) return status;
	return status.state === 'stale' ? { ...status, changes: [...status.changes, ...changes] } : staleStatus(changes, stored.partial);
}

/**
 * Whether a re-run must run every record, not only those whose input changed: a new model,
 * provider, seed, sampling, recipe, definition or params; or a changed document the task reads
 * besides the inputs (an identity document as the system prompt; any document that changed while
 * no input did), since then every record's requests may differ. Content, not names: a renamed
 * sheet or pool whose texts and inputs are the same changes nothing.
 */
export function rerunsEverything(stored: StoredManifest, current: StoredManifest): boolean {
	const documentChanges = compareManifests(stored, current).filter((change) => change.kind.startsWith('document-'));
	const contents = (manifest: RunManifest) => Object.values(manifest.documents).sort().join('\n');
	const shared =
		documentChanges.some((change) => 'name' in change && (change.name.startsWith('identity:') || change.name === 'system-prompt')) ||
		(contents(current) !== contents(stored) && current.inputHash === stored.inputHash);
	return (
		shared ||
		settingsChanges(stored, current).everything ||
		current.definitionHash !== stored.definitionHash ||
		current.paramsHash !== stored.paramsHash ||
		current.modelHash !== stored.modelHash ||
		current.recipeId !== stored.recipeId
	);
}

/** A stored record as the plan reads it: with the position it first ran at, once moved. */
export type PlannedRecord = RunRecordRow & { seedIndex?: number };

export interface RerunRequest<R extends PlannedRecord> {
	runId: string;
	stored: StoredManifest;
	current: StoredManifest;
	/** The records the run covers now (prepared from the current sources, limited). */
	inputs: readonly InputRecord<unknown>[];
	/** The run's records as stored. */
	records: readonly R[];
	/** The run's samples as stored. */
	samples: readonly RunSampleRow[];
	recordLabel: (input: unknown) => string;
	/** The id of a sample at its (new) position. */
	sampleId: (recordIndex: number, sampleIndex: number) => string;
	now: number;
}

export interface RerunPlan<R extends PlannedRecord> {
	/** The run's new record set, in order: kept records moved to their position, the others pending. */
	records: (R | RunRecordRow)[];
	/** Samples that go (of changed or removed records, or re-keyed), and kept ones at their new id. */
	samples: { remove: string[]; put: RunSampleRow[] };
	/** The run's counts of records and samples after the plan. */
	counts: Pick<RunCounts, 'total' | 'done' | 'failed' | 'samples'>;
	/** Positions of the records to run (not done). */
	toRun: number[];
	/** Accepted samples of changed records, replaced by the re-run. */
	replacedAccepted: number;
}

/**
 * Re-run what changed: records whose input changed (by hash) or that are new run again, removed
 * ones go with their samples, unchanged ones keep their samples and reviews (every record runs
 * again when `rerunsEverything`). Unchanged steps of a record that runs again still come from the
 * response cache.
 */
export function planRerun<R extends PlannedRecord>(request: RerunRequest<R>): RerunPlan<R> {
	const { runId, inputs, now } = request;
	const everything = rerunsEverything(request.stored, request.current);
	const old = new Map(request.records.map((record) => [record.recordId, record]));
	const moved = new Map<number, number>();
	const records: (R | RunRecordRow)[] = inputs.map((input, recordIndex) => {
		const previous = old.get(input.id);
		if (previous && !everything && hashValue(previous.input) === hashValue(input.input)) {
			moved.set(previous.recordIndex, recordIndex);
			return { ...previous, recordIndex, seedIndex: previous.seedIndex ?? previous.recordIndex, label: request.recordLabel(input.input) };
		}
		return { runId, recordIndex, recordId: input.id, label: request.recordLabel(input.input), input: input.input, state: 'pending', steps: [], notes: [], updatedAt: now };
	});
	const remove: string[] = [];
	const put: RunSampleRow[] = [];
	let sampleCount = 0;
	for (const sample of request.samples) {
		const to = moved.get(sample.recordIndex);
		if (to === undefined) {
			remove.push(sample.id);
			continue;
		}
		sampleCount++;
		if (to !== sample.recordIndex) {
			remove.push(sample.id);
			put.push({ ...sample, id: request.sampleId(to, sample.sampleIndex), recordIndex: to });
		}
	}
	const kept = new Set(put.map((sample) => sample.id));
	return {
		records,
		samples: { remove: remove.filter((id) => !kept.has(id)), put },
		counts: {
			total: records.length,
			done: records.filter((record) => record.state === 'done').length,
			failed: records.filter((record) => record.state === 'failed').length,
			samples: sampleCount
		},
		toRun: records.filter((record) => record.state !== 'done').map((record) => record.recordIndex),
		replacedAccepted: request.samples.filter((sample) => sample.review === 'accepted' && !moved.has(sample.recordIndex)).length
	};
}

/** The log line of a re-run that replaced accepted samples, or null when it replaced none. */
export function replacedAcceptedMessage(replaced: number): string | null {
	if (!replaced) return null;
	return replaced === 1
		? '1 accepted sample of a changed record was replaced by the re-run: review the new one.'
		: `${replaced} accepted samples of changed records were replaced by the re-run: review the new ones.`;
}
