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
import { buildManifest, compareManifests, ManifestBuilder, hashValue, runStatus, type DocumentLabel, type ManifestChange, type RunManifest, type RunStatus } from './manifest';

/**
 * A run's manifest with what manifest.ts does not hash: who serves the model (an endpoint's base
 * URL: the same model name at another provider may answer differently) and the seed. Runs stored
 * before these were added have neither, and are not called stale for them. `shared` names the
 * documents every record reads besides its input, when the recipe says (PreparedRun.sharedDocuments).
 */
export type StoredManifest = RunManifest & { provider?: string; seed?: number; shared?: string[] };

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
export function runManifest(run: RunDefinition, prepared: { definition: unknown; documents: Record<string, string>; inputs: readonly unknown[]; sharedDocuments?: string[] }): StoredManifest {
	const manifest = buildManifest({
		recipeId: run.recipeId,
		definition: prepared.definition,
		params: run.params,
		documents: prepared.documents,
		model: { engineId: run.engine.kind, model: modelOf(run.engine), sampling: run.settings.sampling },
		inputs: prepared.inputs,
		...(run.settings.limit !== undefined ? { limit: run.settings.limit } : {})
	});
	return { ...manifest, provider: providerOf(run.engine), seed: run.settings.seed, ...(prepared.sharedDocuments ? { shared: [...prepared.sharedDocuments].sort() } : {}) };
}

/**
 * The manifest of an unlimited run built block by block (its inputs read while it runs): `add`
 * each prepared block in order; `manifest()` equals runManifest over all of them at once.
 */
export class RunManifestBuilder {
	private readonly builder: ManifestBuilder;
	private readonly shared?: string[];

	constructor(
		private readonly run: RunDefinition,
		first: { definition: unknown; sharedDocuments?: string[] }
	) {
		this.builder = new ManifestBuilder({ recipeId: run.recipeId, definition: first.definition, params: run.params, model: { engineId: run.engine.kind, model: modelOf(run.engine), sampling: run.settings.sampling } });
		if (first.sharedDocuments) this.shared = [...first.sharedDocuments].sort();
	}

	add(block: { documents: Record<string, string>; inputs: readonly unknown[]; splitDocuments?: readonly string[] }): this {
		this.builder.add(block);
		return this;
	}

	get inputCount(): number {
		return this.builder.inputCount;
	}

	manifest(): StoredManifest {
		return { ...this.builder.build(), provider: providerOf(this.run.engine), seed: this.run.settings.seed, ...(this.shared ? { shared: this.shared } : {}) };
	}
}

/** A stale status for these reasons. */
export function staleStatus(changes: ManifestChange[], partial: boolean): RunStatus {
	return { state: 'stale', changes, partial };
}

/**
 * CURRENT / PARTIAL / STALE of a run whose stored manifest is `stored`, against `current`; the
 * reasons name documents with `label` (document-labels.ts) when given.
 */
export function statusAgainst(stored: StoredManifest, current: StoredManifest, label?: DocumentLabel): RunStatus {
	const status = runStatus(stored, current, label);
	const { changes } = settingsChanges(stored, current);
	if (!changes.length) return status;
	return status.state === 'stale' ? { ...status, changes: [...status.changes, ...changes] } : staleStatus(changes, stored.partial);
}

/**
 * Whether a re-run must run every record, not only those whose input changed: a new model,
 * provider, seed, sampling, recipe, definition or params; or a changed document the task reads
 * besides the inputs, since then every record's requests may differ. Which documents those are
 * the recipe says (`current.shared`: a fact extractor reads its identity document only through
 * the passages, its inputs); when it does not, an identity document or a system prompt, or any
 * document that changed while no input did. Content, not names: a renamed sheet or pool whose
 * texts and inputs are the same changes nothing.
 */
export function rerunsEverything(stored: StoredManifest, current: StoredManifest): boolean {
	const changed = compareManifests(stored, current).flatMap((change) => ('name' in change ? [change.name] : []));
	const contents = (manifest: RunManifest) => Object.values(manifest.documents).sort().join('\n');
	const declared = current.shared;
	const shared = declared
		? changed.some((name) => declared.includes(name))
		: changed.some((name) => name.startsWith('identity:') || name === 'system-prompt') || (contents(current) !== contents(stored) && current.inputHash === stored.inputHash);
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
	/** What of an input its requests depend on (Recipe.recordKey); the whole input when omitted. */
	recordKey?: (input: unknown) => unknown;
	/** The id of a sample at its (new) position. */
	sampleId: (recordIndex: number, sampleIndex: number) => string;
	now: number;
}

export interface RerunPlan<R extends PlannedRecord> {
	/** The run's new record set, in order: kept records moved to their position, the others pending. */
	records: (R | RunRecordRow)[];
	/** Samples that go (of removed records, or re-keyed), and kept ones at their new id. */
	samples: { remove: string[]; put: RunSampleRow[] };
	/** The run's counts of records and samples after the plan. */
	counts: Pick<RunCounts, 'total' | 'done' | 'failed' | 'samples'>;
	/** Positions of the records to run (not done). */
	toRun: number[];
	/** Records that had samples and are asked again (their samples stay until their new ones come). */
	reasked: number;
	/** Accepted samples of those records. */
	reaskedAccepted: number;
	/** Accepted samples of records no longer in the input, deleted with them. */
	removedAccepted: number;
}

/**
 * Re-run what changed. A stored record is matched to a current input by its id and its input
 * (by `recordKey`, content not position), else by its input alone (a record that only moved),
 * else by its id (its input changed). Records matched by their input keep their state, samples
 * and reviews, and the random of the position they first ran at; records whose input changed,
 * and every record when `rerunsEverything`, run again; new ones are pending; records no longer
 * in the input go with their samples. A record that runs again keeps its samples (moved with it)
 * until it ends: then its new samples replace them, and a new sample with the same messages as
 * an old one keeps that one's review (keepReviews). So a run built on this one's accepted samples
 * (facts) does not see them vanish while the re-run goes on. Unchanged steps of a record that
 * runs again come from the response cache.
 */
export function planRerun<R extends PlannedRecord>(request: RerunRequest<R>): RerunPlan<R> {
	const { runId, inputs, now } = request;
	const everything = rerunsEverything(request.stored, request.current);
	const keyOf = (input: unknown) => hashValue(request.recordKey ? request.recordKey(input) : input);
	const matches = matchRecords(request.records, inputs, keyOf);
	const moved = new Map<number, number>();
	const again = new Set<number>();
	const records: (R | RunRecordRow)[] = inputs.map((input, recordIndex) => {
		const match = matches[recordIndex];
		const label = request.recordLabel(input.input);
		if (!match) return { runId, recordIndex, recordId: input.id, label, input: input.input, state: 'pending', steps: [], notes: [], updatedAt: now };
		const { previous, sameInput } = match;
		moved.set(previous.recordIndex, recordIndex);
		const runsAgain = everything || !sameInput;
		if (runsAgain) again.add(previous.recordIndex);
		// The record keeps its steps (the provenance of the samples it keeps until it runs again).
		const record: PlannedRecord = { ...previous, recordIndex, recordId: input.id, label, input: input.input };
		if (sameInput) record.seedIndex = previous.seedIndex ?? previous.recordIndex;
		else delete record.seedIndex;
		if (runsAgain) {
			record.state = 'pending';
			record.updatedAt = now;
			delete record.error;
		}
		return record as R;
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
		reasked: new Set(request.samples.filter((sample) => again.has(sample.recordIndex)).map((sample) => sample.recordIndex)).size,
		reaskedAccepted: request.samples.filter((sample) => sample.review === 'accepted' && again.has(sample.recordIndex)).length,
		removedAccepted: request.samples.filter((sample) => sample.review === 'accepted' && !moved.has(sample.recordIndex)).length
	};
}

/** For each input, the stored record it continues (see planRerun), and whether its input is the same. */
function matchRecords<R extends PlannedRecord>(records: readonly R[], inputs: readonly InputRecord<unknown>[], keyOf: (input: unknown) => string): ({ previous: R; sameInput: boolean } | undefined)[] {
	const keys = new Map(records.map((record) => [record, keyOf(record.input)]));
	const byId = new Map(records.map((record) => [record.recordId, record]));
	const taken = new Set<R>();
	const inputKeys = inputs.map((input) => keyOf(input.input));
	const matches: ({ previous: R; sameInput: boolean } | undefined)[] = inputs.map((input, i) => {
		const previous = byId.get(input.id);
		if (!previous || keys.get(previous) !== inputKeys[i]) return undefined;
		taken.add(previous);
		return { previous, sameInput: true };
	});
	// A record that moved (a fact now at another position): the first free one with that input.
	const free = new Map<string, R[]>();
	for (const record of records) {
		if (taken.has(record)) continue;
		const key = keys.get(record) as string;
		const same = free.get(key);
		if (same) same.push(record);
		else free.set(key, [record]);
	}
	inputs.forEach((_, i) => {
		if (matches[i]) return;
		const previous = free.get(inputKeys[i])?.find((record) => !taken.has(record));
		if (!previous) return;
		taken.add(previous);
		matches[i] = { previous, sameInput: true };
	});
	// Else the record at the same id, whose input changed.
	inputs.forEach((input, i) => {
		if (matches[i]) return;
		const previous = byId.get(input.id);
		if (!previous || taken.has(previous)) return;
		taken.add(previous);
		matches[i] = { previous, sameInput: false };
	});
	return matches;
}

/** The log line of a re-run that deleted accepted samples with their records, or null when it deleted none. */
export function removedAcceptedMessage(removed: number): string | null {
	if (!removed) return null;
	return removed === 1
		? '1 accepted sample went with its record, which is no longer in the input.'
		: `${removed} accepted samples went with their records, which are no longer in the input.`;
}

/**
 * The log line of a re-run that asks records with samples again (`accepted` of those samples were
 * accepted), or null when it asks none.
 */
export function reaskedMessage(reasked: number, accepted: number): string | null {
	if (!reasked) return null;
	const records = reasked === 1 ? '1 record with samples is' : `${reasked} records with samples are`;
	const among = accepted ? ` (${accepted === 1 ? '1 accepted sample' : `${accepted} accepted samples`} among them)` : '';
	return `${records} asked again${among}: a sample that comes back the same keeps its review; a different one replaces it and needs a review.`;
}
