/**
 * Character sheets on the page: the live list (re-read when any tab or the worker writes the
 * table), and the library's and the editor's worker calls (import, delete, read, save, export to
 * the seed 003 chunk files). Components render what these return.
 */
import { getDatabase } from '$lib/db/database';
import { getSheet, listSheets, type SheetWriteResult } from '$lib/db/sheets-repo';
import { dataWorker } from '$lib/workers/data-bridge';
import type { CharacterSheetRow } from '$lib/core/contracts/rows';
import type { SheetSummary } from '$lib/core/contracts/library-summaries';
import type { CardFileOutcome, LorebookAddOutcome, Seed003ExportOutcome, SheetFileOutcome } from '$lib/workers/library-service';
import type { CardFormat } from '$lib/core/formats/card-export';
import { LiveList } from './library.svelte';
import type { ChunkTokenCounts, RechunkOutcome } from '$lib/workers/sheet-tokens';
import type { TokenRange } from '$lib/core/sheets/chunk-size';

/** Every sheet's summary, newest first, live. */
export function liveSheets(): LiveList<SheetSummary> {
	return new LiveList<SheetSummary>(() => listSheets(getDatabase()));
}

/** The sheets library: its live list, importing files and deleting a sheet. */
export class SheetLibraryState {
	readonly list = liveSheets();

	start(): () => void {
		// Documents are cut into chunks by counting Qwen tokens: load that tokenizer (a few MB,
		// seconds to build) while the page is read, not after a file is dropped.
		void dataWorker()
			.countChunkTokens([])
			.catch(() => {});
		return this.list.start();
	}

	/** Reads dropped or picked files into sheets (a card, seed 003 chunk files, documents). */
	importFiles(files: readonly File[]): Promise<SheetFileOutcome[]> {
		return dataWorker().importSheetFiles(files.map((file) => ({ fileName: file.name, bytes: file })));
	}

	remove(sheetId: string): Promise<boolean> {
		return dataWorker().deleteSheet(sheetId);
	}
}

/** A lorebook dropped with the datasets: a new sheet of its own, or its entries added to a sheet. */
export const lorebookToSheets = {
	makeSheet(file: File): Promise<SheetFileOutcome[]> {
		return dataWorker().importSheetFiles([{ fileName: file.name, bytes: file }]);
	},
	addToSheet(sheetId: string, file: File): Promise<LorebookAddOutcome> {
		return dataWorker().addLorebookToSheet(sheetId, { fileName: file.name, bytes: file });
	}
};

/** One sheet's editor: read it, save the edited draft (validated by the worker), export its chunks. */
export const sheetEditing = {
	load(sheetId: string): Promise<CharacterSheetRow | undefined> {
		return dataWorker().getSheet(sheetId);
	},
	save(draft: CharacterSheetRow): Promise<SheetWriteResult> {
		return dataWorker().saveSheet(draft);
	},
	exportSeed003(sheetId: string): Promise<Seed003ExportOutcome> {
		return dataWorker().exportSheetSeed003(sheetId);
	},
	exportCard(sheetId: string, format: CardFormat | 'png'): Promise<CardFileOutcome> {
		return dataWorker().exportSheetCard(sheetId, format);
	},
	/** Each text's tokens, with the Qwen tokenizer (or an estimate, labelled as one). */
	countTokens(texts: string[]): Promise<ChunkTokenCounts> {
		return dataWorker().countChunkTokens([...texts]);
	},
	/** The sheet's text cut again into chunks of the token range. */
	rechunk(text: string, range: TokenRange): Promise<RechunkOutcome> {
		return dataWorker().rechunkSheetText(text, { min: range.min, max: range.max });
	}
};

/** A sheet's chunks, for the run form's chunk subset (a page-side read, as the lists are). */
export function readSheet(sheetId: string): Promise<CharacterSheetRow | undefined> {
	return getSheet(getDatabase(), sheetId);
}
