/**
 * Importing, in the data worker: each dropped, picked or pasted source becomes its own dataset,
 * streamed (File.stream() → TextDecoder → core/import FileImporter) into blocks of entries, with
 * job ids, cancelling, and all-or-nothing per job. Used through DataService (data-service.ts).
 */
import { FileImporter, importPng, sniffBytes } from '$lib/core/import/file-importer';
import { Utf8ChunkDecoder } from '$lib/core/import/utf8-chunks';
import type { Entry, FileImportReport, ImportReport } from '$lib/core/model';
import { ContentHasher } from '$lib/core/hash';
import type { SkeinDatabase } from '$lib/db/database';
import {
	completeImport,
	createImportingDataset,
	deleteDataset,
	findSameContent,
	getSetting,
	putBlock,
	putOriginal,
	touchImport
} from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { listTags } from '$lib/db/collection-repo';
import { tagLookup } from '$lib/core/curation/tags';
import { REPAIR_ON_IMPORT_SETTING } from '$lib/db/settings-keys';
import { searchableText } from './data-reading';
import { importParquet } from '$lib/core/parquet/import';
import { isParquetHead } from '$lib/core/parquet/read';

/** A thing to import: a dropped or picked file, or pasted text. */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'text'; name: string; text: string };

export interface ImportProgress {
	jobId: string;
	fileIndex: number;
	fileCount: number;
	fileName: string;
	bytesRead: number;
	bytesTotal: number;
	lines: number;
	entries: number;
}

export interface ImportedDataset {
	datasetId: string;
	name: string;
	report: FileImportReport;
	/** Datasets imported earlier with exactly the same content (a re-import of the same file). */
	sameContentAs: { id: string; name: string }[];
}

export interface ImportResult {
	jobId: string;
	status: 'done' | 'cancelled' | 'failed';
	datasets: ImportedDataset[];
	report: ImportReport;
	/** Set when the whole job failed (quota, storage error); nothing was kept. */
	error?: string;
}

/** What importing needs from validation (given when the data service is built). */
export interface ImportRepair {
	/** The automatic-safe repairs, applied to each imported entry when "repair on import" is on; counts each repair by title. */
	repairOnImport(entry: Entry, counts: Map<string, number>): Entry;
}

/** PNG character cards are small; anything bigger is not one. */
const MAX_PNG_BYTES = 32 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;
const HEARTBEAT_INTERVAL_MS = 5_000;

export class ImportCancelled extends Error {
	constructor() {
		super('Import cancelled');
	}
}

function datasetNameFor(fileName: string): string {
	const base = fileName.replace(/\.(jsonl|json|ndjson|txt|png|parquet)$/i, '').trim();
	return base || 'Untitled dataset';
}

function describeStorageError(error: unknown): string {
	const name = error instanceof Error ? error.name : '';
	const inner = (error as { inner?: { name?: string } } | null)?.inner?.name ?? '';
	if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
		return 'The browser ran out of storage space for this site. Nothing from this import was kept; free some space (delete datasets you no longer need) or allow more storage, then try again.';
	}
	return `Storage failed: ${error instanceof Error ? error.message : String(error)}. Nothing from this import was kept.`;
}

/** Block-sized buffer of entries that writes a block whenever it fills, one write in flight at a time. */
/** Characters of search text an import keeps for the first search (~1 GB of UTF-16 at most). */
const SEARCH_SEED_LIMIT = 500_000_000;

class BlockWriter {
	private pending: Entry[] = [];
	private inFlight: Promise<void> = Promise.resolve();
	private fingerprint = new ContentHasher();
	readonly blockSizes: number[] = [];

	constructor(
		private readonly db: SkeinDatabase,
		readonly datasetId: string,
		/** Applied to each entry before it is stored (the opt-in "repair on import"). */
		private readonly transform?: (entry: Entry) => Entry
	) {}

	get entryCount(): number {
		return this.blockSizes.reduce((a, b) => a + b, 0) + this.pending.length;
	}

	/** Order-sensitive hash of every entry's content hash. */
	get contentHash(): string {
		return this.fingerprint.digest();
	}

	async add(entries: Entry[]): Promise<void> {
		for (const entry of entries) {
			// The fingerprint is of the file's content as imported, so a re-import matches either way.
			this.fingerprint.update(entry.hash);
			this.pending.push(this.transform ? this.transform(entry) : entry);
			if (this.pending.length >= ENTRY_BLOCK_SIZE) await this.flushBlock();
		}
	}

	private async flushBlock(): Promise<void> {
		const block = this.pending;
		this.pending = [];
		const blockNo = this.blockSizes.length;
		this.blockSizes.push(block.length);
		// Parse the next chunk while this block is being written, but never queue more than one.
		await this.inFlight;
		this.inFlight = putBlock(this.db, this.datasetId, blockNo, block);
		this.keepSearchText(block);
	}

	/**
	 * The search text of every block, made while the block is written (the first search after the
	 * import then reads nothing back); null once it grew past SEARCH_SEED_LIMIT (left to the reader).
	 */
	searchSeed: { ids: string[]; haystack: string[] }[] | null = [];
	private seedChars = 0;

	private keepSearchText(block: Entry[]): void {
		if (!this.searchSeed) return;
		const haystack = block.map(searchableText);
		for (const text of haystack) this.seedChars += text.length;
		if (this.seedChars > SEARCH_SEED_LIMIT) this.searchSeed = null;
		else this.searchSeed.push({ ids: block.map((entry) => entry.id), haystack });
	}

	async close(): Promise<void> {
		if (this.pending.length) await this.flushBlock();
		await this.inFlight;
	}

	async abandon(): Promise<void> {
		await this.inFlight.catch(() => undefined);
	}
}

export class DataImporter {
	private cancelled = new Set<string>();
	private jobCounter = 0;

	/**
	 * @param onSearchText receives an imported dataset's search text (DatasetReader.seedSearch)
	 */
	constructor(
		private readonly db: SkeinDatabase,
		private readonly repair: ImportRepair,
		private readonly onSearchText?: (datasetId: string, updatedAt: number, blocks: { ids: string[]; haystack: string[] }[]) => void
	) {}

	newJobId(): string {
		this.jobCounter += 1;
		return `import-${Date.now().toString(36)}-${this.jobCounter}`;
	}

	cancel(jobId: string): void {
		this.cancelled.add(jobId);
	}

	/**
	 * Imports each source as its own dataset. All or nothing per job: on cancel or storage failure,
	 * every dataset this job created is deleted again.
	 */
	async importSources(
		jobId: string,
		sources: ImportSource[],
		onProgress?: (progress: ImportProgress) => void
	): Promise<ImportResult> {
		const startedAt = Date.now();
		const t0 = performance.now();
		const datasets: ImportedDataset[] = [];
		const created: string[] = [];
		const fileReports: FileImportReport[] = [];
		const finish = (status: ImportResult['status'], error?: string): ImportResult => {
			this.cancelled.delete(jobId);
			const report: ImportReport = {
				files: fileReports,
				imported: datasets.reduce((n, d) => n + d.report.imported, 0),
				errorCount: fileReports.reduce((n, f) => n + f.errorCount, 0),
				durationMs: performance.now() - t0,
				startedAt
			};
			return { jobId, status, datasets: status === 'done' ? datasets : [], report, error };
		};
		try {
			for (let i = 0; i < sources.length; i++) {
				const source = sources[i];
				const file =
					source.kind === 'file'
						? source.file
						: new File([source.text], source.name, { type: 'text/plain' });
				const result = await this.importOne(jobId, file, i, sources.length, created, onProgress);
				fileReports.push(result.report);
				if (result.datasetId) {
					const same = await findSameContent(this.db, result.contentHash, result.datasetId);
					datasets.push({
						datasetId: result.datasetId,
						name: result.name,
						report: result.report,
						sameContentAs: same.filter((d) => !created.includes(d.id)).map((d) => ({ id: d.id, name: d.name }))
					});
				}
			}
			return finish('done');
		} catch (error) {
			for (const id of created) await deleteDataset(this.db, id).catch(() => undefined);
			if (error instanceof ImportCancelled) return finish('cancelled');
			return finish('failed', describeStorageError(error));
		}
	}

	private checkCancelled(jobId: string): void {
		if (this.cancelled.has(jobId)) throw new ImportCancelled();
	}

	private async importOne(
		jobId: string,
		file: File,
		fileIndex: number,
		fileCount: number,
		created: string[],
		onProgress?: (progress: ImportProgress) => void
	): Promise<{ datasetId: string | null; name: string; report: FileImportReport; contentHash: string }> {
		const name = datasetNameFor(file.name);
		const dataset = await createImportingDataset(this.db, name);
		created.push(dataset.id);
		let entryNo = 0;
		// The tag library as it is now: imported tags that use a renamed tag's old name get the new one.
		const tagLookupNow = tagLookup(await listTags(this.db));
		const importerOptions = { fileName: file.name, sizeBytes: file.size, newId: () => `e${++entryNo}`, tagLookup: tagLookupNow };
		const repaired = new Map<string, number>();
		const repairing = (await getSetting<boolean>(this.db, REPAIR_ON_IMPORT_SETTING)) === true;
		const writer = new BlockWriter(this.db, dataset.id, repairing ? (entry) => this.repair.repairOnImport(entry, repaired) : undefined);
		let report: FileImportReport;

		try {
			const head = new Uint8Array(await file.slice(0, 8192).arrayBuffer());
			const sniff = sniffBytes(head);
			if (isParquetHead(head)) {
				report = await importParquet(
					{ byteLength: file.size, slice: (start, end) => file.slice(start, end).arrayBuffer() },
					importerOptions,
					async (entries, rowsRead, rowsTotal) => {
						this.checkCancelled(jobId);
						await writer.add(entries);
						onProgress?.({ jobId, fileIndex, fileCount, fileName: file.name, bytesRead: Math.round((rowsRead / Math.max(1, rowsTotal)) * file.size), bytesTotal: file.size, lines: rowsRead, entries: writer.entryCount });
					}
				);
			} else if (sniff.kind === 'png') {
				const bytes = file.size <= MAX_PNG_BYTES ? new Uint8Array(await file.arrayBuffer()) : head;
				const png = importPng(bytes, importerOptions);
				await writer.add(png.entries);
				report = png.report;
			} else if (sniff.kind === 'binary') {
				const importer = new FileImporter(importerOptions);
				report = { ...importer.report, container: 'binary', fatal: sniff.reason };
			} else {
				report = await this.streamText(jobId, file, fileIndex, fileCount, importerOptions, writer, onProgress);
			}
			await writer.close();
			this.checkCancelled(jobId);
		} catch (error) {
			await writer.abandon();
			throw error;
		}

		for (const [title, count] of repaired) report.notes.push({ text: `Repaired on import (automatic-safe): ${title}`, count, line: 0 });
		if (writer.entryCount === 0) {
			// Nothing importable: report it, keep nothing.
			await deleteDataset(this.db, dataset.id);
			created.splice(created.indexOf(dataset.id), 1);
			return { datasetId: null, name, report, contentHash: '' };
		}
		await putOriginal(this.db, {
			datasetId: dataset.id,
			fileName: file.name,
			mimeType: file.type || 'application/octet-stream',
			sizeBytes: file.size,
			blob: file,
			importedAt: Date.now()
		});
		this.checkCancelled(jobId);
		const importReport: ImportReport = {
			files: [report],
			imported: report.imported,
			errorCount: report.errorCount,
			durationMs: 0,
			startedAt: Date.now()
		};
		const completedAt = Date.now();
		await completeImport(
			this.db,
			dataset.id,
			{
				contentHash: writer.contentHash,
				entryCount: writer.entryCount,
				blockSizes: writer.blockSizes,
				nextEntryNo: entryNo + 1,
				sizeBytes: file.size,
				report: importReport
			},
			completedAt
		);
		if (writer.searchSeed) this.onSearchText?.(dataset.id, completedAt, writer.searchSeed);
		return { datasetId: dataset.id, name, report, contentHash: writer.contentHash };
	}

	private async streamText(
		jobId: string,
		file: File,
		fileIndex: number,
		fileCount: number,
		importerOptions: ConstructorParameters<typeof FileImporter>[0],
		writer: BlockWriter,
		onProgress?: (progress: ImportProgress) => void
	): Promise<FileImportReport> {
		const importer = new FileImporter(importerOptions);
		const decoder = new Utf8ChunkDecoder();
		const reader = file.stream().getReader();
		let bytesRead = 0;
		let lastProgress = 0;
		let lastHeartbeat = Date.now();
		const progress = () => {
			onProgress?.({
				jobId,
				fileIndex,
				fileCount,
				fileName: file.name,
				bytesRead,
				bytesTotal: file.size,
				lines: importer.linesRead,
				entries: writer.entryCount
			});
		};
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				this.checkCancelled(jobId);
				bytesRead += value.byteLength;
				const chunk = decoder.decode(value);
				await writer.add(importer.push(chunk.text, chunk.replacements));
				const now = performance.now();
				if (now - lastProgress > PROGRESS_INTERVAL_MS) {
					lastProgress = now;
					progress();
				}
				if (Date.now() - lastHeartbeat > HEARTBEAT_INTERVAL_MS) {
					lastHeartbeat = Date.now();
					await touchImport(this.db, writer.datasetId);
				}
			}
			await writer.add(importer.push(decoder.end().text));
			await writer.add(importer.finish());
		} finally {
			reader.releaseLock();
		}
		progress();
		return importer.report;
	}
}
