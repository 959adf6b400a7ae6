/**
 * References by id between the things of a backup, besides the parent fields layout.ts names: a
 * run's parameters name its sources (a dataset, a character sheet, an identity document, a prompt
 * pool, an earlier run's facts), a run names the dataset its samples go to, an accepted sample the
 * dataset it went into, a run's manifest hashes those parameters and names the facts run it read,
 * and an entry made from an accepted sample names its run (in the working copy, snapshots and
 * history); a chunked run's records, samples and the entries made from them name the character
 * sheet they were cut from. When a restore keeps one of these things twice, the copy gets a new id; every row restored
 * alongside that names it must then name the copy (the rows were made against the backup's one).
 */
import { hashValue } from '../runtime/manifest';
import { itemKey, type Decision } from './plan';
import type { ItemKind } from './layout';

type Row = Record<string, unknown>;

/** Run parameters that name a thing of the workspace by id (core/recipes/*: the recipes' params schemas). */
const PARAM_REFERENCES: Readonly<Record<string, ItemKind>> = {
	datasetId: 'dataset',
	sheetId: 'characterSheet',
	identityId: 'identityDocument',
	poolId: 'promptPool'
};

export class ReferenceRepointer {
	/** itemKey(kind, id in the backup) → the copy's id, for the things kept twice. */
	readonly #newIds = new Map<string, string>();
	/** Run id (as written) → its manifest's parameter hash before and after its parameters were repointed. */
	readonly #paramsHashes = new Map<string, { from: string; to: string }>();

	constructor(decisions: ReadonlyMap<string, Decision>) {
		for (const [key, decision] of decisions) if (decision.action === 'keep-both') this.#newIds.set(key, decision.newId);
	}

	#id(kind: ItemKind, id: unknown): unknown {
		return typeof id === 'string' ? (this.#newIds.get(itemKey(kind, id)) ?? id) : id;
	}

	/** A row about to be written (its own ids already given by the restore's decisions), with its references repointed. */
	row(table: string, row: Row): Row {
		if (!this.#newIds.size) return row;
		switch (table) {
			case 'runs':
				return this.#run(row);
			case 'runManifests':
				return row.manifest && typeof row.manifest === 'object' ? { ...row, manifest: this.#manifest(String(row.runId), row.manifest as Row) } : row;
			case 'runRecords': {
				const input = row.input as Row | undefined;
				const sheetId = input && typeof input === 'object' ? this.#id('characterSheet', input.sheetId) : undefined;
				return sheetId === undefined || sheetId === input?.sheetId ? row : { ...row, input: { ...input, sheetId } };
			}
			case 'runSamples':
				return this.#sample(row);
			case 'blocks':
			case 'snapshotBlocks':
				return Array.isArray(row.entries) && this.#entriesNameCopies ? this.#withEntries(row, 'entries') : row;
			case 'history':
				return Array.isArray(row.changes) && this.#entriesNameCopies ? this.#historyRow(row) : row;
			default:
				return row;
		}
	}

	/** Whether any run or character sheet is kept twice (only then are entries looked through). */
	get #entriesNameCopies(): boolean {
		for (const key of this.#newIds.keys()) if (key.startsWith('run:') || key.startsWith('characterSheet:')) return true;
		return false;
	}

	/** A sample's own meta (a chunked run's names its sheet), with the sheet repointed. */
	#sampleMeta(meta: unknown): unknown {
		if (!meta || typeof meta !== 'object' || !('sheetId' in meta)) return meta;
		const sheetId = this.#id('characterSheet', (meta as Row).sheetId);
		return sheetId === (meta as Row).sheetId ? meta : { ...(meta as Row), sheetId };
	}

	/** A run's sample: the dataset it was accepted into, and the sheet its meta names. */
	#sample(row: Row): Row {
		let out = row;
		const accepted = row.acceptedInto as Row | undefined;
		if (accepted && typeof accepted === 'object') {
			const datasetId = this.#id('dataset', accepted.datasetId);
			if (datasetId !== accepted.datasetId) out = { ...out, acceptedInto: { ...accepted, datasetId } };
		}
		const sample = row.sample as Row | undefined;
		if (sample && typeof sample === 'object') {
			const meta = this.#sampleMeta(sample.meta);
			if (meta !== sample.meta) out = { ...out, sample: { ...sample, meta } };
		}
		return out;
	}

	/**
	 * An accepted sample's entry names the run that made it (`meta.provenance.runId`,
	 * core/recipes/provenance.ts) and carries the sample's meta (`meta.provenance.sample`).
	 */
	#entry(entry: unknown): unknown {
		if (!entry || typeof entry !== 'object') return entry;
		const meta = (entry as Row).meta as Row | undefined;
		const provenance = meta?.provenance as Row | undefined;
		if (!provenance || typeof provenance !== 'object' || provenance.kind !== 'generation') return entry;
		const runId = this.#id('run', provenance.runId);
		const sample = this.#sampleMeta(provenance.sample);
		if (runId === provenance.runId && sample === provenance.sample) return entry;
		return { ...(entry as Row), meta: { ...meta, provenance: { ...provenance, runId, ...(sample === undefined ? {} : { sample }) } } };
	}

	#withEntries(row: Row, field: string): Row {
		const entries = row[field] as unknown[];
		const repointed = entries.map((entry) => this.#entry(entry));
		return repointed.every((entry, i) => entry === entries[i]) ? row : { ...row, [field]: repointed };
	}

	#historyRow(row: Row): Row {
		const changes = row.changes as unknown[];
		const repointed = changes.map((change) => {
			if (!change || typeof change !== 'object') return change;
			const { before, after } = change as Row;
			const newBefore = this.#entry(before);
			const newAfter = this.#entry(after);
			return newBefore === before && newAfter === after ? change : { ...(change as Row), before: newBefore, after: newAfter };
		});
		return repointed.every((change, i) => change === changes[i]) ? row : { ...row, changes: repointed };
	}

	#run(row: Row): Row {
		const out: Row = { ...row };
		if (typeof row.targetDatasetId === 'string') out.targetDatasetId = this.#id('dataset', row.targetDatasetId);
		const params = row.params;
		if (params && typeof params === 'object' && !Array.isArray(params)) {
			const repointed: Row = { ...(params as Row) };
			let changed = false;
			for (const [field, kind] of Object.entries(PARAM_REFERENCES)) {
				if (!(field in repointed)) continue;
				const id = this.#id(kind, repointed[field]);
				if (id !== repointed[field]) {
					repointed[field] = id;
					changed = true;
				}
			}
			const facts = repointed.factsRunId as Row | undefined;
			if (facts && typeof facts === 'object' && facts.kind === 'facts') {
				const id = this.#id('run', facts.id);
				if (id !== facts.id) {
					repointed.factsRunId = { ...facts, id };
					changed = true;
				}
			}
			if (changed) {
				out.params = repointed;
				this.#paramsHashes.set(String(row.id), { from: hashValue(params), to: hashValue(repointed) });
			}
		}
		// A run written before schema version 5 keeps its manifest in its row.
		if (row.manifest && typeof row.manifest === 'object') out.manifest = this.#manifest(String(row.id), row.manifest as Row);
		return out;
	}

	/** The manifest's parameter hash follows the repointed parameters (when it was theirs), and a facts document names the copy. */
	#manifest(runId: string, manifest: Row): Row {
		const out: Row = { ...manifest };
		const hashes = this.#paramsHashes.get(runId);
		if (hashes && manifest.paramsHash === hashes.from) out.paramsHash = hashes.to;
		const documents = manifest.documents;
		if (documents && typeof documents === 'object') {
			const renamed: Row = {};
			for (const [name, hash] of Object.entries(documents as Row)) {
				renamed[name.startsWith('facts:') ? `facts:${String(this.#id('run', name.slice('facts:'.length)))}` : name] = hash;
			}
			out.documents = renamed;
		}
		return out;
	}
}
