/**
 * Splitting a character document (Markdown or plain text) into sheet chunks by headings, as the
 * seed authors did by hand (reference/chunked-generation.md §1): `#`..`###` ATX headings and
 * setext (underlined) headings start a section; deeper headings stay inside their section. Text
 * before the first heading becomes an "Introduction" chunk when it is not blank. Sections longer
 * than `maxChunkChars` are cut at paragraph boundaries (then lines, then hard) so each chunk fits
 * a small model's context. Headings inside fenced code blocks are not headings.
 */
import { DEFAULT_CHUNK_SETTINGS, normaliseNewlines, resolveBuildOptions, type CharacterSheet, type SheetBuildOptions, type SheetChunk, type SheetChunkSettings } from './sheet';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt';
import { DEFAULT_CHUNK_TOKENS, estimateTokens, sizeSections, type CountTokens, type TokenRange } from './chunk-size';
import { documentIntroduction } from './character-name';

/** The seed's chunk files hold 1.4–2.9 KB each; 4000 characters leaves room for the prompt. */
export const DEFAULT_MAX_CHUNK_CHARS = 4000;
export const INTRO_TITLE = 'Introduction';

export interface DocumentSection {
	title: string;
	/** The section's text, heading line(s) included, trimmed. */
	text: string;
	/** Only with `headingOnly`: a heading with no text of its own (it leads the sections under it). */
	headingOnly?: boolean;
}

export interface SplitDocumentOptions {
	maxChunkChars?: number;
	/** Deepest ATX level that starts a section (1–6, default 3). */
	maxHeadingLevel?: number;
	/** Keep headings with no text of their own as `headingOnly` sections (the chunk sizer merges them forward). */
	headingOnly?: boolean;
}

/** Markdown emphasis and code marks are noise in a title. */
function plainTitle(raw: string): string {
	return raw
		.replace(/[*_`]+/g, '')
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\s+/g, ' ')
		.trim();
}

interface RawSection {
	title: string | null;
	lines: string[];
	/** How many of `lines` are the heading itself (0, 1 for ATX, 2 for setext). */
	headingLines: number;
}

function sectionsByHeading(lines: readonly string[], maxLevel: number): RawSection[] {
	const sections: RawSection[] = [{ title: null, lines: [], headingLines: 0 }];
	let fence: string | null = null;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		const current = sections[sections.length - 1];
		const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line);
		if (fenceMatch !== null) {
			const marker = fenceMatch[1];
			if (fence === null) fence = marker;
			else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
			current.lines.push(line);
			continue;
		}
		if (fence !== null) {
			current.lines.push(line);
			continue;
		}
		const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
		if (atx !== null && atx[1].length <= maxLevel) {
			const title = plainTitle((atx[2] ?? '').replace(/[ \t]+#+$/, '').replace(/^#+$/, ''));
			sections.push({ title, lines: [line], headingLines: 1 });
			continue;
		}
		// Setext: one text line, then a line of = (level 1) or - (level 2). The text line must
		// start a paragraph, otherwise "---" under a paragraph's last line would steal it.
		const next = lines[i + 1];
		const previous = i > 0 ? lines[i - 1] : '';
		if (
			next !== undefined &&
			line.trim() !== '' &&
			previous.trim() === '' &&
			!/^ {0,3}([-*+]|\d+[.)])[ \t]/.test(line) &&
			!/^ {0,3}>/.test(line) &&
			/^ {0,3}(=+|-{2,})[ \t]*$/.test(next) &&
			(next.trim()[0] === '=' ? 1 : 2) <= maxLevel
		) {
			sections.push({ title: plainTitle(line), lines: [line, next], headingLines: 2 });
			i++;
			continue;
		}
		current.lines.push(line);
	}
	return sections;
}

/** Cuts `text` into pieces of at most `max` characters, preferring blank lines, then newlines. */
function cutToSize(text: string, max: number): string[] {
	if (text.length <= max) return [text];
	const pieces: string[] = [];
	let rest = text;
	while (rest.length > max) {
		const window = rest.slice(0, max + 1);
		let cut = window.lastIndexOf('\n\n');
		if (cut <= 0) cut = window.lastIndexOf('\n');
		if (cut <= 0) cut = window.lastIndexOf(' ');
		if (cut <= 0) cut = max;
		const piece = rest.slice(0, cut).trim();
		if (piece !== '') pieces.push(piece);
		rest = rest.slice(cut).replace(/^\s+/, '');
	}
	if (rest.trim() !== '') pieces.push(rest.trim());
	return pieces;
}

export function splitDocument(text: string, options: SplitDocumentOptions = {}): DocumentSection[] {
	if (typeof text !== 'string') return [];
	const requested = options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
	// Below a few dozen characters every sentence would be its own chunk.
	const max = Number.isFinite(requested) ? Math.max(50, Math.floor(requested)) : DEFAULT_MAX_CHUNK_CHARS;
	const levelOption = options.maxHeadingLevel ?? 3;
	const maxLevel = Number.isFinite(levelOption) ? Math.min(6, Math.max(1, Math.floor(levelOption))) : 3;
	const lines = normaliseNewlines(text).split('\n');

	const out: DocumentSection[] = [];
	let untitled = 0;
	for (const section of sectionsByHeading(lines, maxLevel)) {
		const body = section.lines.slice(section.headingLines);
		let title = section.title ?? INTRO_TITLE;
		// A heading with nothing under it (a document title above its first "##") is no chunk.
		if (body.every((line) => line.trim() === '')) {
			if (options.headingOnly && section.title !== null) out.push({ title: title || `Section ${++untitled}`, text: section.lines.join('\n').trim(), headingOnly: true });
			continue;
		}
		if (title === '') title = `Section ${++untitled}`;
		const pieces = cutToSize(section.lines.join('\n').trim(), max);
		pieces.forEach((piece, index) => {
			out.push({ title: pieces.length > 1 ? `${title} (part ${index + 1} of ${pieces.length})` : title, text: piece });
		});
	}
	return out;
}

export interface DocumentToSheetOptions extends SplitDocumentOptions, SheetBuildOptions {
	characterName: string;
	/** Context (the system message when a run sends the sheet's own context); defaults to "You are <name>." */
	context?: string;
	settings?: SheetChunkSettings;
	promptTemplate?: string;
	/** Chunk sizes in tokens (default 500–1,500); `null`: one chunk per heading, cut at `maxChunkChars`. */
	tokenRange?: TokenRange | null;
	/** The token counter (the worker passes a real tokenizer); an estimate of 4 characters a token otherwise. */
	countTokens?: CountTokens;
}

/** The sections a document's chunks are made of: sized to the token range, or one per heading. */
export function documentSections(text: string, options: Omit<DocumentToSheetOptions, 'characterName'> = {}): DocumentSection[] {
	if (options.tokenRange === null) return splitDocument(text, options);
	// Headings first (no character cut: the sizer cuts by tokens), then merged and cut to the range.
	const sections = splitDocument(text, { ...options, maxChunkChars: Number.MAX_SAFE_INTEGER, headingOnly: true });
	return sizeSections(sections, options.tokenRange ?? DEFAULT_CHUNK_TOKENS, options.countTokens ?? estimateTokens).map(({ title, text }) => ({ title, text }));
}

export function documentToSheet(text: string, options: DocumentToSheetOptions): CharacterSheet {
	const { newId, now } = resolveBuildOptions(options);
	const name = options.characterName.trim();
	const context = options.context ?? (name === '' ? '' : `You are ${name}.`);
	const chunks: SheetChunk[] = documentSections(text, options).map((section) => ({
		id: newId(),
		title: section.title,
		context,
		document: section.text,
		settings: { ...(options.settings ?? DEFAULT_CHUNK_SETTINGS) },
		promptTemplate: options.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE
	}));
	const introduction = documentIntroduction(normaliseNewlines(text), name);
	return { id: newId(), name, sourceKind: 'document', chunks, ...(introduction ? { introduction } : {}), createdAt: now().toISOString() };
}
