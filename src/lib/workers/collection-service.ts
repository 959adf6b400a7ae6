/**
 * The curation workshop's worker side, without Comlink: merging datasets, snapshots, the tag and
 * character libraries' dataset-wide actions (tag census and rewrite, speaker mapping), and
 * copying or moving entries between datasets. Runs in the data worker (`collectionApi` below is
 * composed into its API) and in Node tests on fake-indexeddb.
 *
 * Everything reads datasets block by block; no method holds a whole dataset's entries, except
 * where an undoable operation has to carry the entries it changes (speaker mapping, copy).
 */
import { absorbDuplicate, emptyMergeReport, recordDecision, type MergeReport, type MergeSourceReport } from '$lib/core/curation/merge';
import { applySpeakerMapping, isStandardRole, suggestSpeakerMapping, type SpeakerMapping, type SpeakerSuggestion, type SpeakerTarget } from '$lib/core/curation/characters';
import { countTags } from '$lib/core/curation/tags';
import { deleteOp, insertOp, replaceTagOp, type SpliceOp } from '$lib/core/curation/operations';
import { entryToLine, localDateStamp, safeFileBaseName } from '$lib/core/export/serialize';
import { ContentHasher } from '$lib/core/hash';
import { STANDARD_ROLES, type Entry, type FileImportReport } from '$lib/core/model';
import type { SkeinDatabase } from '$lib/db/database';
import { completeImport, createImportingDataset, deleteDataset, touchImport } from '$lib/db/datasets-repo';
import { applyCuration, historyState } from '$lib/db/entries-repo';
import { type HistoryState } from '$lib/core/contracts/history';
import { deleteDatasetExtras, deleteSnapshot, restoreSnapshot, takeSnapshot, type RestoreResult } from '$lib/db/collection-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { type DatasetRow, type SnapshotRow } from '$lib/core/contracts/rows';

/** Progress of a long action, in blocks read. */
export type BlockProgress = (done: number, total: number) => void;

export interface MergeOutcome {
	datasetId: string;
	name: string;
	report: MergeReport;
}

export interface TagUse {
	slug: string;
	/** Entries carrying it, over all datasets. */
	count: number;
	datasets: { id: string; name: string; count: number }[];
}

export interface TagRewriteOutcome {
	datasets: { id: string; name: string; changed: number }[];
	changed: number;
}

export interface SpeakerMappingChoice {
	speaker: string;
	/** A standard role, or `next-turn`: narration folded into the message that follows it. */
	role: SpeakerTarget;
	/** A character's display name, when it differs from the speaker label. */
	character?: string;
}

export interface MappingOutcome {
	label: string;
	changed: number;
	history: HistoryState;
}

export interface CopyOutcome {
	copied: number;
	moved: boolean;
	/** Entries whose id was taken in the target and got a new one. */
	reissued: { from: string; to: string }[];
	/** Requested ids that were not found in the source (deleted meanwhile). */
	missing: number;
	label: string;
}

export interface SnapshotExport {
	blob: Blob;
	fileName: string;
	entries: number;
}

const HEARTBEAT_INTERVAL_MS = 5_000;

async function readyDataset(db: SkeinDatabase, datasetId: string): Promise<DatasetRow> {
	const dataset = await db.datasets.get(datasetId);
	if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
	return dataset;
}

async function readBlockEntries(db: SkeinDatabase, datasetId: string, blockNo: number): Promise<Entry[]> {
	return (await db.blocks.get([datasetId, blockNo]))?.entries ?? [];
}

function count(n: number, one: string, many = `${one}s`): string {
	return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * A duplicate reduced to what collapsing it into its survivor reads (id, tags, characters):
 * a merge of a dataset with itself must not keep a second copy of every conversation.
 */
function duplicateStub(entry: Entry): Entry {
	return { ...entry, messages: [], extra: {} };
}

/**
 * The survivor with `duplicates` collapsed into it, by merge.ts's own rule (tags joined, the more
 * reviewed state kept, notes joined); each decision is counted in `report`.
 */
function absorbDuplicates(survivor: Entry, duplicates: readonly { dataset: string; entry: Entry }[], report: MergeReport): Entry {
	let entry = survivor;
	for (const duplicate of duplicates) {
		const absorbed = absorbDuplicate(entry, duplicate.entry, duplicate.dataset);
		recordDecision(report, absorbed.decision);
		entry = absorbed.entry;
	}
	return entry;
}

export class CollectionService {
	constructor(private readonly db: SkeinDatabase) {}

	// ---- merge -----------------------------------------------------------------------------

	/**
	 * Merges datasets, in the given order, into a new dataset (merge.ts rules: duplicates by hash
	 * collapse into the first, with tags combined; colliding ids are re-issued). Streams: blocks of
	 * 1,000 are written as they fill; a duplicate whose survivor is already written is remembered
	 * (as a stub) and folded in by rewriting that block at the end. The new dataset stays
	 * 'importing' (hidden, and cleaned up if the tab dies) until complete, and is deleted on failure.
	 */
	async merge(sourceIds: string[], name: string, onProgress?: BlockProgress): Promise<MergeOutcome> {
		const unique = [...new Set(sourceIds)];
		if (unique.length < 2) throw new Error('Choose at least two datasets to merge.');
		const trimmed = name.trim();
		if (!trimmed) throw new Error('The merged dataset needs a name.');
		const sources: DatasetRow[] = [];
		for (const id of unique) sources.push(await readyDataset(this.db, id));

		const target = await createImportingDataset(this.db, trimmed);
		const totalBlocks = sources.reduce((n, s) => n + s.blockSizes.length, 0);
		let blocksDone = 0;
		let lastBeat = Date.now();
		try {
			// Re-issued ids continue after every source's own numbering, so they cannot collide
			// with an id a later source still brings.
			let nextEntryNo = Math.max(1, ...sources.map((s) => s.nextEntryNo));
			const newId = () => `e${nextEntryNo++}`;
			const report: MergeReport = emptyMergeReport();
			const positionByHash = new Map<string, number>();
			const usedIds = new Set<string>();
			const lateDuplicates = new Map<number, { dataset: string; entry: Entry }[]>();
			const blockSizes: number[] = [];
			const fingerprint = new ContentHasher();
			let pending: Entry[] = [];
			let written = 0;
			let sizeBytes = 0;

			const flush = async () => {
				if (pending.length === 0) return;
				const blockNo = blockSizes.length;
				blockSizes.push(pending.length);
				written += pending.length;
				const entries = pending;
				pending = [];
				await this.db.blocks.put({ datasetId: target.id, blockNo, entries });
			};

			for (const source of sources) {
				const sourceReport: MergeSourceReport = { name: source.name, input: 0, kept: 0, duplicates: 0, idsReissued: 0 };
				report.sources.push(sourceReport);
				for (let blockNo = 0; blockNo < source.blockSizes.length; blockNo++) {
					const block = await readBlockEntries(this.db, source.id, blockNo);
					for (const entry of block) {
						sourceReport.input++;
						report.input++;
						const survivorAt = positionByHash.get(entry.hash);
						if (survivorAt !== undefined) {
							sourceReport.duplicates++;
							report.duplicatesCollapsed++;
							if (survivorAt >= written) {
								pending[survivorAt - written] = absorbDuplicates(pending[survivorAt - written], [{ dataset: source.name, entry }], report);
							} else {
								const list = lateDuplicates.get(survivorAt) ?? [];
								list.push({ dataset: source.name, entry: duplicateStub(entry) });
								lateDuplicates.set(survivorAt, list);
							}
							continue;
						}
						let kept = entry;
						if (usedIds.has(entry.id)) {
							let id = newId();
							while (usedIds.has(id)) id = newId();
							kept = { ...entry, id };
							report.reissued.push({ dataset: source.name, from: entry.id, to: id });
							sourceReport.idsReissued++;
							report.idsReissued++;
						}
						usedIds.add(kept.id);
						positionByHash.set(kept.hash, written + pending.length);
						fingerprint.update(kept.hash);
						pending.push(kept);
						sourceReport.kept++;
						if (pending.length >= ENTRY_BLOCK_SIZE) await flush();
					}
					blocksDone++;
					onProgress?.(blocksDone, totalBlocks);
					if (Date.now() - lastBeat > HEARTBEAT_INTERVAL_MS) {
						lastBeat = Date.now();
						await touchImport(this.db, target.id);
					}
				}
				// The size of what was kept, in proportion (the list shows an estimate anyway).
				if (sourceReport.input > 0) sizeBytes += Math.round((source.sizeBytes * sourceReport.kept) / sourceReport.input);
			}
			await flush();

			// Fold late duplicates into the blocks that hold their survivors.
			const byBlock = new Map<number, number[]>();
			for (const position of lateDuplicates.keys()) {
				const blockNo = Math.floor(position / ENTRY_BLOCK_SIZE);
				byBlock.set(blockNo, [...(byBlock.get(blockNo) ?? []), position]);
			}
			for (const [blockNo, positions] of byBlock) {
				const entries = await readBlockEntries(this.db, target.id, blockNo);
				for (const position of positions) {
					const offset = position - blockNo * ENTRY_BLOCK_SIZE;
					entries[offset] = absorbDuplicates(entries[offset], lateDuplicates.get(position) ?? [], report);
				}
				await this.db.blocks.put({ datasetId: target.id, blockNo, entries });
			}

			// A source edited meanwhile (another tab) could make this merge a mix of two versions.
			for (const source of sources) {
				const now = await this.db.datasets.get(source.id);
				if (!now || now.updatedAt !== source.updatedAt) throw new Error(`“${source.name}” changed while merging. Nothing was kept; try again.`);
			}

			report.output = written;
			const files: FileImportReport[] = sources.flatMap((s) => s.report?.files ?? []);
			await completeImport(this.db, target.id, {
				contentHash: fingerprint.digest(),
				entryCount: written,
				blockSizes,
				nextEntryNo,
				sizeBytes,
				report: { files, imported: written, errorCount: files.reduce((n, f) => n + f.errorCount, 0), durationMs: 0, startedAt: target.createdAt }
			});
			return { datasetId: target.id, name: trimmed, report };
		} catch (error) {
			await deleteDataset(this.db, target.id).catch(() => undefined);
			throw error;
		}
	}

	// ---- snapshots ---------------------------------------------------------------------------

	takeSnapshot(datasetId: string, name: string): Promise<SnapshotRow> {
		return takeSnapshot(this.db, datasetId, name);
	}

	restoreSnapshot(snapshotId: string): Promise<RestoreResult> {
		return restoreSnapshot(this.db, snapshotId);
	}

	deleteSnapshot(snapshotId: string): Promise<void> {
		return deleteSnapshot(this.db, snapshotId);
	}

	/** Snapshots and default names of a dataset (for a dataset delete that does not remove them itself). */
	deleteDatasetExtras(datasetId: string): Promise<void> {
		return deleteDatasetExtras(this.db, datasetId);
	}

	/** A snapshot as Skein full-fidelity JSONL, built from per-block parts. */
	async exportSnapshot(snapshotId: string): Promise<SnapshotExport> {
		const snapshot = await this.db.snapshots.get(snapshotId);
		if (!snapshot) throw new Error('That snapshot no longer exists.');
		const dataset = await this.db.datasets.get(snapshot.datasetId);
		const parts: Blob[] = [];
		let entries = 0;
		for (let blockNo = 0; blockNo < snapshot.blockSizes.length; blockNo++) {
			const block = (await this.db.snapshotBlocks.get([snapshot.id, blockNo]))?.entries ?? [];
			if (!block.length) continue;
			let text = '';
			for (const entry of block) text += entryToLine(entry, 'skein') + '\n';
			parts.push(new Blob([text]));
			entries += block.length;
		}
		const fileName = `${safeFileBaseName(dataset?.name ?? 'dataset')}.${safeFileBaseName(snapshot.name)}.${localDateStamp(new Date(snapshot.createdAt))}.skein.jsonl`;
		return { blob: new Blob(parts, { type: 'application/jsonl' }), fileName, entries };
	}

	// ---- tags ------------------------------------------------------------------------------

	/** Every tag found on entries, over every dataset, most used first. */
	async tagCensus(onProgress?: BlockProgress): Promise<TagUse[]> {
		const datasets = await this.db.datasets.where('status').equals('ready').toArray();
		const total = datasets.reduce((n, d) => n + d.blockSizes.length, 0);
		let done = 0;
		const uses = new Map<string, TagUse>();
		for (const dataset of datasets) {
			const counts = new Map<string, number>();
			for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
				countTags(await readBlockEntries(this.db, dataset.id, blockNo), counts);
				onProgress?.(++done, total);
			}
			for (const [slug, n] of counts) {
				let use = uses.get(slug);
				if (!use) uses.set(slug, (use = { slug, count: 0, datasets: [] }));
				use.count += n;
				use.datasets.push({ id: dataset.id, name: dataset.name, count: n });
			}
		}
		return [...uses.values()].sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
	}

	/**
	 * Rewrites tag `from` to `to` in every dataset that uses it: one undoable `replace-tag` step
	 * per dataset, in that dataset's own history.
	 */
	async rewriteTag(from: string, to: string, onProgress?: BlockProgress): Promise<TagRewriteOutcome> {
		const outcome: TagRewriteOutcome = { datasets: [], changed: 0 };
		if (!from || !to || from === to) return outcome;
		const datasets = await this.db.datasets.where('status').equals('ready').toArray();
		const total = datasets.reduce((n, d) => n + d.blockSizes.length, 0);
		let done = 0;
		for (const dataset of datasets) {
			const ids: string[] = [];
			for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
				for (const entry of await readBlockEntries(this.db, dataset.id, blockNo)) if (entry.tags.includes(from)) ids.push(entry.id);
				onProgress?.(++done, total);
			}
			if (ids.length === 0) continue;
			const result = await applyCuration(this.db, dataset.id, replaceTagOp(ids, from, to), `Rename tag ${from} to ${to} on ${count(ids.length, 'entry', 'entries')}`);
			outcome.datasets.push({ id: dataset.id, name: dataset.name, changed: result.summary.changedCount });
			outcome.changed += result.summary.changedCount;
		}
		return outcome;
	}

	// ---- characters --------------------------------------------------------------------------

	/**
	 * Custom speakers of a dataset with a suggested role each. Only the speaker structure of
	 * entries that have custom speakers is kept while reading (roles and names, no content).
	 */
	async speakerSuggestions(datasetId: string): Promise<SpeakerSuggestion[]> {
		const dataset = await readyDataset(this.db, datasetId);
		const skeletons: Entry[] = [];
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			for (const entry of await readBlockEntries(this.db, dataset.id, blockNo)) {
				const relevant = entry.messages.some((m) => !isStandardRole(m.role) || (typeof m.name === 'string' && m.name !== ''));
				if (!relevant) continue;
				skeletons.push({
					...entry,
					extra: {},
					messages: entry.messages.map((m) => (typeof m.name === 'string' ? { role: m.role, content: '', name: m.name } : { role: m.role, content: '' }))
				});
			}
		}
		return suggestSpeakerMapping(skeletons);
	}

	/**
	 * Maps custom speakers to roles in every entry (characters.ts `applySpeakerMapping`), as one
	 * undoable step: a splice that replaces each changed entry in place, whose inverse puts the
	 * originals back.
	 */
	async applySpeakerMapping(datasetId: string, choices: SpeakerMappingChoice[], onProgress?: BlockProgress): Promise<MappingOutcome> {
		const dataset = await readyDataset(this.db, datasetId);
		const mapping = new Map<string, SpeakerMapping>();
		for (const choice of choices) {
			if (choice.role !== 'next-turn' && !(STANDARD_ROLES as readonly string[]).includes(choice.role)) throw new Error(`“${choice.role}” is not a role.`);
			mapping.set(choice.speaker, { role: choice.role, ...(choice.character ? { character: choice.character } : {}) });
		}
		const op: SpliceOp = { kind: 'splice', replace: [], insert: [], append: [] };
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			for (const entry of await readBlockEntries(this.db, dataset.id, blockNo)) {
				const mapped = applySpeakerMapping(entry, mapping);
				if (mapped.changed) op.replace.push({ id: entry.id, with: [mapped.entry] });
			}
		}
		const speakers = choices.map((c) => `${c.speaker} → ${c.role === 'next-turn' ? 'next turn' : c.role}`);
		const label = `Map ${speakers.length <= 2 ? speakers.join(', ') : `${speakers.length} speakers`} in ${count(op.replace.length, 'entry', 'entries')}`;
		if (op.replace.length === 0) return { label, changed: 0, history: await historyState(this.db, datasetId) };
		const result = await applyCuration(this.db, datasetId, op, label, onProgress);
		return { label, changed: result.summary.changedCount, history: await historyState(this.db, datasetId) };
	}

	// ---- copy / move -------------------------------------------------------------------------

	/**
	 * Copies entries (in their source order) to the end of another dataset; with `move`, then
	 * deletes them from the source. Each side is one undoable step in its own dataset's history,
	 * and both happen in one transaction: a move never leaves the entries in both or neither.
	 * Ids already taken in the target are re-issued there.
	 */
	async copyEntries(fromDatasetId: string, ids: string[], toDatasetId: string, move: boolean, onProgress?: BlockProgress): Promise<CopyOutcome> {
		if (fromDatasetId === toDatasetId) throw new Error('Choose a different dataset to copy to.');
		const source = await readyDataset(this.db, fromDatasetId);
		const target = await readyDataset(this.db, toDatasetId);
		const wanted = new Set(ids);
		const entries: Entry[] = [];
		const total = source.blockSizes.length + target.blockSizes.length;
		let done = 0;
		for (let blockNo = 0; blockNo < source.blockSizes.length && entries.length < wanted.size; blockNo++) {
			for (const entry of await readBlockEntries(this.db, source.id, blockNo)) if (wanted.has(entry.id)) entries.push(entry);
			onProgress?.(++done, total);
		}
		if (entries.length === 0) throw new Error('None of those entries exist any more.');
		const verb = move ? 'Move' : 'Copy';
		const what = count(entries.length, 'entry', 'entries');

		return this.db.transaction('rw', [this.db.datasets, this.db.blocks, this.db.history], async () => {
			// The target's ids, read inside the transaction so none can be taken meanwhile.
			const fresh = await readyDataset(this.db, toDatasetId);
			const taken = new Set<string>();
			for (let blockNo = 0; blockNo < fresh.blockSizes.length; blockNo++) {
				for (const entry of await readBlockEntries(this.db, fresh.id, blockNo)) taken.add(entry.id);
				onProgress?.(++done, total);
			}
			let nextEntryNo = fresh.nextEntryNo;
			const reissued: { from: string; to: string }[] = [];
			const copies = entries.map((entry) => {
				if (!taken.has(entry.id)) {
					taken.add(entry.id);
					return entry;
				}
				let id = `e${nextEntryNo++}`;
				while (taken.has(id)) id = `e${nextEntryNo++}`;
				taken.add(id);
				reissued.push({ from: entry.id, to: id });
				return { ...entry, id };
			});
			if (nextEntryNo !== fresh.nextEntryNo) await this.db.datasets.update(fresh.id, { nextEntryNo });
			const label = `${verb} ${what} from “${source.name}”`;
			await applyCuration(this.db, toDatasetId, insertOp(copies), label);
			if (move) await applyCuration(this.db, fromDatasetId, deleteOp(entries.map((e) => e.id)), `Move ${what} to “${target.name}”`);
			return { copied: copies.length, moved: move, reissued, missing: wanted.size - entries.length, label };
		});
	}
}

/** The methods the data worker exposes for this service (composed into its one API by data.worker.ts). */
export function collectionApi(db: SkeinDatabase) {
	const service = new CollectionService(db);
	return {
		mergeDatasets: (sourceIds: string[], name: string, onProgress?: BlockProgress) => service.merge(sourceIds, name, onProgress),
		takeSnapshot: (datasetId: string, name: string) => service.takeSnapshot(datasetId, name),
		restoreSnapshot: (snapshotId: string) => service.restoreSnapshot(snapshotId),
		deleteSnapshot: (snapshotId: string) => service.deleteSnapshot(snapshotId),
		exportSnapshot: (snapshotId: string) => service.exportSnapshot(snapshotId),
		tagCensus: (onProgress?: BlockProgress) => service.tagCensus(onProgress),
		rewriteTag: (from: string, to: string, onProgress?: BlockProgress) => service.rewriteTag(from, to, onProgress),
		speakerSuggestions: (datasetId: string) => service.speakerSuggestions(datasetId),
		applySpeakerMapping: (datasetId: string, choices: SpeakerMappingChoice[], onProgress?: BlockProgress) =>
			service.applySpeakerMapping(datasetId, choices, onProgress),
		copyEntries: (fromDatasetId: string, ids: string[], toDatasetId: string, move: boolean, onProgress?: BlockProgress) =>
			service.copyEntries(fromDatasetId, ids, toDatasetId, move, onProgress)
	};
}
