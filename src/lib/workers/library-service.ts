/**
 * The generation source libraries, worker side (no Comlink): character sheets, identity documents
 * and prompt pools. `libraryApi(db)` is composed into the data worker's API; every method is plain
 * TypeScript tested in Node on fake-indexeddb.
 *
 * Files are read here, not on the page (a pool can be 100k lines); what goes wrong comes back as a
 * value naming the file and the part of it that is wrong, and nothing already stored is touched.
 */
import { cardObjectToSheet, pngCardToSheet, type CardSheetResult, type CardSheetError } from '$lib/core/sheets/card-to-sheet';
import { parseSeed003, sheetChunkToSeed003, SEED003_SEPARATOR } from '$lib/core/sheets/seed003';
import { documentToSheet } from '$lib/core/sheets/split-document';
import { addLorebookToSheet, lorebookToSheet, readLorebook } from '$lib/core/sheets/lorebook-to-sheet';
import { recogniseCharacterCard } from '$lib/core/formats/character-card';
import { characterNameFromTitle, DEFAULT_USER_NAME, introductionFromContext, substituteNames } from '$lib/core/sheets/character-name';
import { countChunkTokens, rechunkText, sheetTokenCounter } from './sheet-tokens';
import type { TokenRange } from '$lib/core/sheets/chunk-size';
import { normaliseNewlines, type CharacterSheet, type SheetChunk, type SheetSourceKind } from '$lib/core/sheets/sheet';
import { answerVoiceInstruction, checkPromptTemplate, exampleEntry, formatInstruction } from '$lib/core/sheets/prompt';
import Mustache from 'mustache';
import { cardFileName, exportCard, type CardFormat } from '$lib/core/formats/card-export';
import { writeCardPng } from '$lib/core/formats/card-png';
import type { SkeinDatabase } from '$lib/db/database';
import { deleteSheet, getSheet, listSheets, putSheet, saveSheet } from '$lib/db/sheets-repo';
import { deleteIdentity, getIdentity, listIdentities, putIdentity } from '$lib/db/identity-repo';
import { newIdentityDocument } from '$lib/core/recipes/identity-document';
import type { IdentityDocument, PromptPoolItem } from '$lib/core/recipes/sources';
import { parsePromptPool, type PoolProblem } from '$lib/core/recipes/prompt-pool';
import { deletePool, getPool, listPools, poolItems, storePool } from '$lib/db/pools-repo';
import type { PromptPoolRow } from '$lib/core/contracts/rows';

export type FileBytes = Uint8Array | ArrayBuffer | Blob;

export interface SheetFileInput {
	fileName: string;
	bytes: FileBytes;
}

export type SheetImportOutcome =
	| { ok: true; sheetId: string; name: string; sourceKind: SheetSourceKind; chunkCount: number; warnings: string[] }
	| { ok: false; error: string };

/** A pool from a file (read here, in the worker) or from pasted text. */
export interface PoolInput {
	fileName?: string;
	text?: string;
	file?: Blob;
	/** Defaults to the file name without its extension, or "Pasted prompts <date>". */
	name?: string;
}

export type PoolImportOutcome =
	| { ok: true; poolId: string; name: string; count: number; ratingCounts: Record<string, number>; ratingField?: string; problems: PoolProblem[] }
	| { ok: false; error: string; problems: PoolProblem[] };

export interface PoolPreview {
	pool: PromptPoolRow;
	items: PromptPoolItem[];
}

export type LorebookAddOutcome =
	| { ok: true; sheetId: string; name: string; added: number; chunkCount: number; warnings: string[] }
	| { ok: false; error: string };

export interface SheetFileOutcome {
	fileNames: string[];
	outcome: SheetImportOutcome;
}

export interface Seed003File {
	fileName: string;
	text: string;
}

export type Seed003ExportOutcome = { ok: true; files: Seed003File[]; warnings: string[] } | { ok: false; error: string };

/** A sheet's kept card written out: a V2/V3 JSON file or a PNG holding both. */
export type CardFileOutcome = { ok: true; fileName: string; type: string; bytes: Uint8Array<ArrayBuffer> } | { ok: false; error: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SEPARATOR_LINE = /^[ \t]*-{10}[ \t]*$/m;

export async function toBytes(input: FileBytes): Promise<Uint8Array> {
	if (input instanceof Uint8Array) return input;
	if (input instanceof ArrayBuffer) return new Uint8Array(input);
	return new Uint8Array(await input.arrayBuffer());
}

function isPng(bytes: Uint8Array): boolean {
	return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** NUL bytes do not occur in text files; they do in images, PDFs, office documents and archives. */
function looksBinary(bytes: Uint8Array): boolean {
	const end = Math.min(bytes.length, 8192);
	for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
	return false;
}

function extensionOf(fileName: string): string {
	const match = /\.([A-Za-z0-9]+)$/.exec(fileName);
	return match === null ? '' : match[1].toLowerCase();
}

/** "01.special-triggers.txt" → "01.special-triggers"; "wren_halloway.md" → "wren_halloway". */
export function fileStem(fileName: string): string {
	const base = fileName.split(/[\\/]/).pop() ?? fileName;
	return base.replace(/\.[A-Za-z0-9]+$/, '') || base;
}

/** A seed chunk file has its separators and its settings JSON; a Markdown rule alone is not one. */
function looksSeed003(text: string): boolean {
	return SEPARATOR_LINE.test(text) && /"nb_(dataset_entries|iterations)"|\{\{\s*\.[A-Za-z]+\s*\}\}/.test(text);
}

/** "You are Wren Halloway, the last…" → "Wren Halloway" (the seed's contexts all open like this). */
export function nameFromContext(context: string): string {
	const match = /\bYou are ([^,.;:\n]+)/.exec(context);
	return match === null ? '' : match[1].trim();
}

/** The name in the document's first level-1 heading ("# Brannoc Vell — The Ferryman" → "Brannoc Vell"), else the file name. */
function documentName(text: string, fileName: string): string {
	const heading = /^ {0,3}#[ \t]+(.+?)[ \t#]*$/m.exec(text);
	if (heading !== null) return characterNameFromTitle(heading[1]);
	return fileStem(fileName).replace(/[-_]+/g, ' ').trim();
}

/** Seed file names sort by their number prefix ("2.x" before "10.x"). */
function byFileName(a: { fileName: string }, b: { fileName: string }): number {
	return a.fileName.localeCompare(b.fileName, undefined, { numeric: true, sensitivity: 'base' });
}

export function seed003FileName(index: number, title: string): string {
	const slug =
		title
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 48)
			.replace(/-+$/, '') || 'chunk';
	return `${String(index + 1).padStart(2, '0')}.${slug}.txt`;
}

/** Variables the seed program fills itself; they stay in the template as its Go fields. */
const SEED_KNOWN = { character_name: '{{character_name}}', chunk: '{{chunk}}', entries_per_iteration: '{{entries_per_iteration}}' };

/**
 * A Skein template in the form the seed program can run: the variables it knows stay, the others
 * are written out as they read in iteration 1 (the answer voice as text, no previous prompts, the
 * context inline). Returns the template unchanged when it uses none of them.
 */
export function seedCompatibleTemplate(chunk: SheetChunk, characterName: string, introduction?: string): { template: string; flattened: string[] } {
	const checked = checkPromptTemplate(chunk.promptTemplate);
	if (!checked.ok) return { template: chunk.promptTemplate, flattened: [] };
	const flattened = checked.variables.filter((name) => !Object.prototype.hasOwnProperty.call(SEED_KNOWN, name));
	if (flattened.length === 0) return { template: chunk.promptTemplate, flattened };
	const view = {
		...SEED_KNOWN,
		context: chunk.context,
		// The seed program has no user name: card macros are written out with the default.
		user_name: DEFAULT_USER_NAME,
		introduction: substituteNames(introduction?.trim() || introductionFromContext(chunk.context, characterName), { char: characterName, user: DEFAULT_USER_NAME }),
		iteration: 1,
		previous_prompts: [] as string[],
		answer_voice: answerVoiceInstruction('first-person', characterName),
		example: exampleEntry('first-person', characterName),
		output_format: formatInstruction(chunk.settings.entriesPerIteration)
	};
	const template = Mustache.render(chunk.promptTemplate, view, undefined, { escape: (value: unknown) => String(value) });
	return { template, flattened };
}

type Built = { ok: true; sheet: CharacterSheet; warnings: string[] } | { ok: false; error: string };

function fromCard(result: CardSheetResult | CardSheetError, fileName: string): Built {
	if (!result.ok) return { ok: false, error: `${fileName}: ${result.error}` };
	return { ok: true, sheet: result.sheet, warnings: result.warnings.map((w) => `${fileName}: ${w}`) };
}

function seedChunks(files: readonly Seed003File[]): { ok: true; chunks: SheetChunk[]; name: string; warnings: string[] } | { ok: false; error: string } {
	const chunks: SheetChunk[] = [];
	const warnings: string[] = [];
	let name = '';
	for (const file of [...files].sort(byFileName)) {
		const parsed = parseSeed003(file.text);
		if (!parsed.ok) return { ok: false, error: `${file.fileName}: ${parsed.message}` };
		chunks.push({ id: crypto.randomUUID(), title: parsed.title || fileStem(file.fileName), ...parsed.chunk });
		warnings.push(...parsed.warnings.map((w) => `${file.fileName}: ${w}`));
		if (name === '') name = nameFromContext(parsed.chunk.context);
	}
	return { ok: true, chunks, name, warnings };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A lorebook file's parsed book, or why it cannot be read as one. */
async function lorebookFromFile(input: SheetFileInput) {
	const bytes = await toBytes(input.bytes);
	if (isPng(bytes) || looksBinary(bytes)) return { ok: false as const, error: `${input.fileName}: not a text file; a lorebook is a JSON file` };
	let value: unknown;
	try {
		value = JSON.parse(normaliseNewlines(new TextDecoder('utf-8').decode(bytes)));
	} catch (error) {
		return { ok: false as const, error: `${input.fileName}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
	}
	const read = readLorebook(value);
	return read.ok ? read : { ok: false as const, error: `${input.fileName}: ${read.error}` };
}

/** One file → a sheet: a card (PNG or JSON), a lorebook (JSON), a seed 003 chunk file, or a Markdown/plain document. */
export async function buildSheetFromFile(input: SheetFileInput, range?: TokenRange): Promise<Built> {
	const { fileName } = input;
	const bytes = await toBytes(input.bytes);
	const extension = extensionOf(fileName);
	if (bytes.length === 0) return { ok: false, error: `${fileName}: the file is empty` };
	if (isPng(bytes)) {
		// The picture is kept with the card, so that a card exported again as PNG looks as it did.
		const built = fromCard(pngCardToSheet(bytes), fileName);
		return built.ok ? { ...built, sheet: { ...built.sheet, cardImage: new Blob([bytes.slice()], { type: 'image/png' }) } } : built;
	}
	if (looksBinary(bytes)) {
		return { ok: false, error: `${fileName}: not a text file; expected a character card (.json or .png), a seed 003 chunk file (.txt) or a Markdown/plain-text character document (.md, .txt)` };
	}
	const text = normaliseNewlines(new TextDecoder('utf-8').decode(bytes));
	const trimmed = text.trim();
	if (trimmed === '') return { ok: false, error: `${fileName}: the file has no text` };

	if (extension === 'json' || (trimmed.startsWith('{') && trimmed.endsWith('}'))) {
		let value: unknown;
		try {
			value = JSON.parse(trimmed);
		} catch (error) {
			return { ok: false, error: `${fileName}: not valid JSON (${error instanceof Error ? error.message : String(error)}); a character card or lorebook file is one JSON object` };
		}
		const lorebook = isJsonObject(value) && recogniseCharacterCard(value) === null ? readLorebook(value) : null;
		if (lorebook?.ok) {
			const built = lorebookToSheet(lorebook.book, fileStem(fileName));
			if (built.sheet.chunks.length === 0) return { ok: false, error: `${fileName}: the lorebook has no enabled entry with text` };
			return { ok: true, sheet: built.sheet, warnings: built.warnings.map((w) => `${fileName}: ${w}`) };
		}
		return fromCard(cardObjectToSheet(value), fileName);
	}
	if (looksSeed003(text)) {
		const built = seedChunks([{ fileName, text }]);
		if (!built.ok) return built;
		const name = built.name || fileStem(fileName);
		const introduction = introductionFromContext(built.chunks[0]?.context ?? '', name);
		const sheet: CharacterSheet = {
			id: crypto.randomUUID(),
			name,
			sourceKind: 'seed003',
			chunks: built.chunks,
			...(introduction ? { introduction } : {}),
			createdAt: new Date().toISOString()
		};
		return { ok: true, sheet, warnings: built.warnings };
	}
	if (!['md', 'markdown', 'txt', 'text', ''].includes(extension)) {
		return { ok: false, error: `${fileName}: ".${extension}" files are not read here; expected a character card (.json or .png), a seed 003 chunk file (.txt) or a Markdown/plain-text character document (.md, .txt)` };
	}
	// Chunks sized with the small models' own tokenizer (an estimate if it cannot load).
	const { count } = await sheetTokenCounter();
	const sheet = documentToSheet(text, { characterName: documentName(text, fileName), countTokens: count, ...(range ? { tokenRange: range } : {}) });
	if (sheet.chunks.length === 0) return { ok: false, error: `${fileName}: the document has no text under its headings` };
	const warnings = SEPARATOR_LINE.test(text) ? [`${fileName}: read as a document; its ${SEED003_SEPARATOR} lines are not a seed 003 chunk file (no settings part)`] : [];
	return { ok: true, sheet, warnings };
}

export class LibraryService {
	constructor(private readonly db: SkeinDatabase) {}

	listSheets() {
		return listSheets(this.db);
	}

	getSheet(id: string) {
		return getSheet(this.db, id);
	}

	private async store(built: Built): Promise<SheetImportOutcome> {
		if (!built.ok) return built;
		const stored = await putSheet(this.db, built.sheet);
		if (!stored.ok) return { ok: false, error: `${built.sheet.name}: ${stored.error}` };
		const { sheet } = stored;
		return { ok: true, sheetId: sheet.id, name: sheet.name, sourceKind: sheet.sourceKind, chunkCount: sheet.chunks.length, warnings: built.warnings };
	}

	async importSheet(input: SheetFileInput): Promise<SheetImportOutcome> {
		return this.store(await buildSheetFromFile(input));
	}

	/** A lorebook file's enabled entries added to an existing sheet as lore chunks, after its own. */
	async addLorebookToSheet(sheetId: string, input: SheetFileInput): Promise<LorebookAddOutcome> {
		const read = await lorebookFromFile(input);
		if (!read.ok) return read;
		const row = await getSheet(this.db, sheetId);
		if (row === undefined) return { ok: false, error: 'this sheet no longer exists' };
		const { updatedAt: _updatedAt, ...sheet } = row;
		const merged = addLorebookToSheet(sheet, read.book);
		if (merged.added === 0) return { ok: false, error: `${input.fileName}: the lorebook has no enabled entry with text; nothing was added` };
		const saved = await saveSheet(this.db, merged.sheet);
		if (!saved.ok) return { ok: false, error: `${sheet.name}: ${saved.error}` };
		return { ok: true, sheetId, name: saved.sheet.name, added: merged.added, chunkCount: saved.sheet.chunks.length, warnings: merged.warnings.map((w) => `${input.fileName}: ${w}`) };
	}

	/** Several seed 003 chunk files → one sheet, one chunk per file in file-name order; all or nothing. */
	async importSeed003Files(files: readonly SheetFileInput[], name?: string): Promise<SheetImportOutcome> {
		if (files.length === 0) return { ok: false, error: 'no files' };
		const texts: Seed003File[] = [];
		for (const file of files) {
			const bytes = await toBytes(file.bytes);
			if (isPng(bytes) || looksBinary(bytes)) return { ok: false, error: `${file.fileName}: not a text file; a seed 003 chunk file is text` };
			texts.push({ fileName: file.fileName, text: new TextDecoder('utf-8').decode(bytes) });
		}
		const built = seedChunks(texts);
		if (!built.ok) return built;
		const sheetName = name?.trim() || built.name || fileStem([...texts].sort(byFileName)[0].fileName);
		const introduction = introductionFromContext(built.chunks[0]?.context ?? '', sheetName);
		const sheet: CharacterSheet = {
			id: crypto.randomUUID(),
			name: sheetName,
			sourceKind: 'seed003',
			chunks: built.chunks,
			...(introduction ? { introduction } : {}),
			createdAt: new Date().toISOString()
		};
		return this.store({ ok: true, sheet, warnings: built.warnings });
	}

	/**
	 * What a drop or a file picker gives: several seed 003 chunk files become one sheet (the seed
	 * kept one chunk per file); anything else is imported file by file.
	 */
	async importSheetFiles(files: readonly SheetFileInput[]): Promise<SheetFileOutcome[]> {
		if (files.length > 1) {
			const allSeed = await Promise.all(
				files.map(async (file) => {
					const bytes = await toBytes(file.bytes);
					return !isPng(bytes) && !looksBinary(bytes) && looksSeed003(normaliseNewlines(new TextDecoder('utf-8').decode(bytes)));
				})
			);
			if (allSeed.every(Boolean)) return [{ fileNames: files.map((f) => f.fileName), outcome: await this.importSeed003Files(files) }];
		}
		const outcomes: SheetFileOutcome[] = [];
		for (const file of files) outcomes.push({ fileNames: [file.fileName], outcome: await this.importSheet(file) });
		return outcomes;
	}

	saveSheet(sheet: unknown) {
		return saveSheet(this.db, sheet);
	}

	deleteSheet(id: string) {
		return deleteSheet(this.db, id);
	}

	/** One seed 003 file per chunk, named "01.<title>.txt"; refused when a chunk cannot be written. */
	async exportSheetSeed003(sheetId: string): Promise<Seed003ExportOutcome> {
		const sheet = await getSheet(this.db, sheetId);
		if (sheet === undefined) return { ok: false, error: 'this sheet no longer exists' };
		if (sheet.chunks.length === 0) return { ok: false, error: 'the sheet has no chunks to export' };
		const files: Seed003File[] = [];
		const warnings: string[] = [];
		for (const [index, chunk] of sheet.chunks.entries()) {
			const label = `chunk ${index + 1} ("${chunk.title || 'untitled'}")`;
			const seedForm = seedCompatibleTemplate(chunk, sheet.name, sheet.introduction);
			if (seedForm.flattened.length > 0) {
				warnings.push(`${label}: ${seedForm.flattened.map((n) => `{{${n}}}`).join(', ')} written out as in iteration 1 (the seed program only knows the name, the chunk and the entry count)`);
			}
			const exported = sheetChunkToSeed003({ ...chunk, promptTemplate: seedForm.template });
			if (!exported.ok) return { ok: false, error: `${label}: ${exported.message}` };
			files.push({ fileName: seed003FileName(index, chunk.title), text: exported.text });
			warnings.push(...exported.warnings.map((w) => `${label}: ${w}`));
		}
		return { ok: true, files, warnings };
	}

	/** The sheet's kept card as V2 or V3 JSON, or as a PNG (its own picture, or a plain one) holding both. */
	async exportSheetCard(sheetId: string, format: CardFormat | 'png'): Promise<CardFileOutcome> {
		const sheet = await getSheet(this.db, sheetId);
		if (sheet === undefined) return { ok: false, error: 'this sheet no longer exists' };
		if (format !== 'png') {
			const card = exportCard(sheet.card, format);
			if (!card.ok) return card;
			return { ok: true, fileName: cardFileName(card.name, format), type: 'application/json', bytes: new TextEncoder().encode(`${JSON.stringify(card.card, null, 2)}\n`) };
		}
		const [v2, v3] = [exportCard(sheet.card, 'v2'), exportCard(sheet.card, 'v3')];
		if (!v2.ok) return v2;
		if (!v3.ok) return v3;
		const image = sheet.cardImage ? new Uint8Array(await sheet.cardImage.arrayBuffer()) : null;
		return { ok: true, fileName: cardFileName(v2.name, 'png'), type: 'image/png', bytes: writeCardPng(image, { v2: v2.card, v3: v3.card }) };
	}

	listPools() {
		return listPools(this.db);
	}

	async importPool(input: PoolInput): Promise<PoolImportOutcome> {
		const pasted = input.file === undefined;
		const sourceName = input.fileName?.trim() || 'pasted';
		let text: string;
		if (input.file !== undefined) {
			const bytes = await toBytes(input.file);
			if (looksBinary(bytes)) return { ok: false, error: `${sourceName}: not a text file; expected prompts as JSONL, a JSON array, CSV/TSV or one per line`, problems: [] };
			text = new TextDecoder('utf-8').decode(bytes);
		} else text = input.text ?? '';
		if (text.trim() === '') return { ok: false, error: `${pasted && !input.fileName ? 'the pasted text' : sourceName}: no text`, problems: [] };
		const parsed = parsePromptPool(text, pasted && !input.fileName ? 'pasted' : sourceName);
		if (parsed.items.length === 0) {
			const first = parsed.problems[0];
			return {
				ok: false,
				error: `${sourceName}: no prompts found${first ? ` (line ${first.line}: ${first.reason})` : ''}`,
				problems: parsed.problems
			};
		}
		const now = Date.now();
		const name =
			input.name?.trim() || (input.fileName ? fileStem(input.fileName) : `Pasted prompts ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`);
		const pool = await storePool(
			this.db,
			{ id: crypto.randomUUID(), name, sourceName, ...(parsed.ratingField !== undefined ? { ratingField: parsed.ratingField } : {}), createdAt: now },
			parsed.items
		);
		return {
			ok: true,
			poolId: pool.id,
			name: pool.name,
			count: pool.count,
			ratingCounts: pool.ratingCounts,
			...(pool.ratingField !== undefined ? { ratingField: pool.ratingField } : {}),
			problems: parsed.problems
		};
	}

	/** The pool and items [start, start + count), or undefined when the pool is gone. */
	async poolPreview(poolId: string, start: number, count: number): Promise<PoolPreview | undefined> {
		const pool = await getPool(this.db, poolId);
		if (pool === undefined) return undefined;
		return { pool, items: await poolItems(this.db, poolId, start, Math.min(count, 500)) };
	}

	deletePool(id: string) {
		return deletePool(this.db, id);
	}

	listIdentities() {
		return listIdentities(this.db);
	}

	getIdentity(id: string) {
		return getIdentity(this.db, id);
	}

	saveIdentity(doc: unknown) {
		return putIdentity(this.db, doc);
	}

	deleteIdentity(id: string) {
		return deleteIdentity(this.db, id);
	}

	/** A new document with the usual identities and makers to deny, stored at once. */
	async newIdentity(name: string): Promise<IdentityDocument> {
		const now = Date.now();
		const stored = await putIdentity(this.db, newIdentityDocument(name, now, crypto.randomUUID()), now);
		// A document built by newIdentityDocument always passes its own schema.
		if (!stored.ok) throw new Error(stored.error);
		return stored.identity;
	}
}

export function libraryApi(db: SkeinDatabase) {
	const library = new LibraryService(db);
	return {
		listSheets: () => library.listSheets(),
		getSheet: (id: string) => library.getSheet(id),
		importSheet: (input: SheetFileInput) => library.importSheet(input),
		importSeed003Files: (files: SheetFileInput[], name?: string) => library.importSeed003Files(files, name),
		importSheetFiles: (files: SheetFileInput[]) => library.importSheetFiles(files),
		addLorebookToSheet: (sheetId: string, file: SheetFileInput) => library.addLorebookToSheet(sheetId, file),
		saveSheet: (sheet: CharacterSheet) => library.saveSheet(sheet),
		deleteSheet: (id: string) => library.deleteSheet(id),
		exportSheetSeed003: (sheetId: string) => library.exportSheetSeed003(sheetId),
		exportSheetCard: (sheetId: string, format: CardFormat | 'png') => library.exportSheetCard(sheetId, format),
		countChunkTokens: (texts: string[]) => countChunkTokens(texts),
		rechunkSheetText: (text: string, range: TokenRange) => rechunkText(text, range),
		listPools: () => library.listPools(),
		importPool: (input: PoolInput) => library.importPool(input),
		poolPreview: (poolId: string, start: number, count: number) => library.poolPreview(poolId, start, count),
		deletePool: (id: string) => library.deletePool(id),
		listIdentities: () => library.listIdentities(),
		getIdentity: (id: string) => library.getIdentity(id),
		saveIdentity: (doc: IdentityDocument) => library.saveIdentity(doc),
		deleteIdentity: (id: string) => library.deleteIdentity(id),
		newIdentity: (name: string) => library.newIdentity(name)
	};
}
