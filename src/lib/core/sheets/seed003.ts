/**
 * The seed 003 chunk file (reference/chunked-generation.md A.4): four parts separated by a line of
 * ten dashes — context, document, settings JSON (`nb_dataset_entries`, `nb_iterations`) and a Go
 * `text/template` prompt using `{{.NameOfTheNPC}}`, `{{.Chunk}}`, `{{.NbEntriesPerChunk}}`.
 *
 * The seed splits on the raw string and panics on fewer than four parts; here the separator must
 * be a line of its own (surrounding whitespace allowed), CRLF and extra blank lines are accepted,
 * and every failure is a value naming the part that is wrong. Nothing here throws.
 */
import { MAX_ENTRIES_PER_ITERATION, MAX_ITERATIONS, normaliseNewlines, type SheetChunk, type SheetChunkSettings } from './sheet';
import { checkPromptTemplate } from './prompt';
import { isRecord, hasKey } from '../json-safety';

export const SEED003_SEPARATOR = '----------';
export const SEED003_PARTS = ['context', 'document', 'settings', 'prompt template'] as const;
export type Seed003Part = (typeof SEED003_PARTS)[number] | 'file';

/** Go field → Skein mustache variable. */
export const GO_TO_MUSTACHE: Readonly<Record<string, string>> = {
	NameOfTheNPC: 'character_name',
	Chunk: 'chunk',
	NbEntriesPerChunk: 'entries_per_iteration'
};
const MUSTACHE_TO_GO: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(GO_TO_MUSTACHE).map(([go, ours]) => [ours, go]));

export interface Seed003Error {
	ok: false;
	part: Seed003Part;
	message: string;
}

export interface ParsedSeed003 {
	ok: true;
	/** Without id and title: the caller names the chunk (file name, first heading). */
	chunk: Omit<SheetChunk, 'id' | 'title'>;
	/** A suggested title: the document's first heading, if any. */
	title: string;
	warnings: string[];
}

const SEPARATOR_LINE = /^[ \t]*-{10}[ \t]*$/;

function fail(part: Seed003Part, message: string): Seed003Error {
	return { ok: false, part, message: `${part}: ${message}` };
}

/** Leading blank lines and trailing whitespace go; inner text and indentation stay. */
function tidyPart(lines: readonly string[]): string {
	return lines.join('\n').replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}

function parseSettings(text: string): { ok: true; settings: SheetChunkSettings; warnings: string[] } | Seed003Error {
	if (text.trim() === '') return fail('settings', 'the part is empty; expected JSON such as {"nb_dataset_entries": 20, "nb_iterations": 5}');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return fail('settings', `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
	}
	if (!isRecord(value)) return fail('settings', 'expected a JSON object with "nb_dataset_entries" and "nb_iterations"');
	const count = (key: string, max: number): number | string => {
		if (!hasKey(value, key)) return `"${key}" is missing`;
		const raw = value[key];
		if (typeof raw !== 'number' || !Number.isInteger(raw)) return `"${key}" must be a whole number, got ${JSON.stringify(raw) ?? String(raw)}`;
		if (raw < 1 || raw > max) return `"${key}" must be between 1 and ${max}, got ${raw}`;
		return raw;
	};
	const entries = count('nb_dataset_entries', MAX_ENTRIES_PER_ITERATION);
	if (typeof entries === 'string') return fail('settings', entries);
	const iterations = count('nb_iterations', MAX_ITERATIONS);
	if (typeof iterations === 'string') return fail('settings', iterations);
	const extra = Object.keys(value).filter((key) => key !== 'nb_dataset_entries' && key !== 'nb_iterations');
	const warnings = extra.length > 0 ? [`settings: ignored unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')}`] : [];
	return { ok: true, settings: { entriesPerIteration: entries, iterations }, warnings };
}

/** Go template actions → mustache; anything but the three known fields is an error. */
export function goTemplateToMustache(template: string): { ok: true; template: string } | Seed003Error {
	const unknownFields = new Set<string>();
	const unsupported = new Set<string>();
	const converted = template.replace(/\{\{(.*?)\}\}/gs, (whole, inner: string) => {
		const field = /^-?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*-?$/.exec(inner);
		if (field === null) {
			unsupported.add(whole);
			return whole;
		}
		const ours = Object.prototype.hasOwnProperty.call(GO_TO_MUSTACHE, field[1]) ? GO_TO_MUSTACHE[field[1]] : undefined;
		if (ours === undefined) {
			unknownFields.add(`{{.${field[1]}}}`);
			return whole;
		}
		return `{{${ours}}}`;
	});
	if (unknownFields.size > 0) {
		return fail('prompt template', `unknown variable${unknownFields.size > 1 ? 's' : ''} ${[...unknownFields].join(', ')} (known: ${Object.keys(GO_TO_MUSTACHE).map((k) => `{{.${k}}}`).join(', ')})`);
	}
	if (unsupported.size > 0) {
		return fail('prompt template', `unsupported template action${unsupported.size > 1 ? 's' : ''} ${[...unsupported].slice(0, 5).join(', ')}: only {{.NameOfTheNPC}}, {{.Chunk}} and {{.NbEntriesPerChunk}} are understood`);
	}
	// Anything mustache would still read as a tag (a stray "{{" left by the regex) is caught here.
	const checked = checkPromptTemplate(converted);
	if (!checked.ok) return fail('prompt template', checked.error.replace(/^prompt template: /, ''));
	return { ok: true, template: converted };
}

function firstHeading(document: string): string {
	for (const line of document.split('\n')) {
		const match = /^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/.exec(line);
		if (match !== null && match[1].trim() !== '') return match[1].trim();
	}
	return '';
}

export function parseSeed003(text: string): ParsedSeed003 | Seed003Error {
	if (typeof text !== 'string') return fail('file', 'expected text');
	const lines = normaliseNewlines(text).split('\n');
	const parts: string[][] = [[]];
	for (const line of lines) {
		if (SEPARATOR_LINE.test(line)) parts.push([]);
		else parts[parts.length - 1].push(line);
	}
	const warnings: string[] = [];
	if (parts.length < 4) {
		const missing = SEED003_PARTS.slice(parts.length);
		return fail(
			'file',
			`found ${parts.length} part${parts.length > 1 ? 's' : ''}, expected 4 separated by a line of ${SEED003_SEPARATOR}; missing: ${missing.join(', ')}`
		);
	}
	let context: string[] = parts[0];
	let document: string[] = parts[1];
	let settingsLines: string[] = parts[2];
	let template: string[] = parts[3];
	if (parts.length > 4) {
		// A separator line inside the document (or template) adds parts; the settings part is the
		// only one that is a JSON object, so it tells where the document ends.
		const settingsIndexes = parts
			.map((part, index) => ({ index, ok: index >= 2 && parseSettings(tidyPart(part)).ok }))
			.filter((p) => p.ok)
			.map((p) => p.index);
		if (settingsIndexes.length !== 1) {
			return fail('file', `found ${parts.length} parts separated by ${SEED003_SEPARATOR} lines, expected 4, and cannot tell which one is the settings`);
		}
		const s = settingsIndexes[0];
		const join = (chunk: string[][]) => chunk.flatMap((part, i) => (i === 0 ? part : [SEED003_SEPARATOR, ...part]));
		context = parts[0];
		document = join(parts.slice(1, s));
		settingsLines = parts[s];
		template = join(parts.slice(s + 1));
		warnings.push(`file: ${parts.length - 4} extra ${SEED003_SEPARATOR} line${parts.length > 5 ? 's' : ''} kept as text (the seed program would have cut the file there)`);
	}
	const documentText = tidyPart(document);
	if (documentText === '') return fail('document', 'the part is empty');
	const settings = parseSettings(tidyPart(settingsLines));
	if (!settings.ok) return settings;
	const templateText = tidyPart(template);
	if (templateText === '') return fail('prompt template', 'the part is empty');
	const converted = goTemplateToMustache(templateText);
	if (!converted.ok) return converted;
	if (!/\{\{\s*chunk\s*\}\}/.test(converted.template)) warnings.push('prompt template: does not use {{.Chunk}}, so the document never reaches the model');
	return {
		ok: true,
		chunk: { context: tidyPart(context), document: documentText, settings: settings.settings, promptTemplate: converted.template },
		title: firstHeading(documentText),
		warnings: [...warnings, ...settings.warnings]
	};
}

export interface ExportedSeed003 {
	ok: true;
	text: string;
	warnings: string[];
}

/** A sheet chunk as a seed 003 file, readable by the seed program when `ok`. */
export function sheetChunkToSeed003(chunk: Pick<SheetChunk, 'context' | 'document' | 'settings' | 'promptTemplate'>): ExportedSeed003 | Seed003Error {
	const unsupported = new Set<string>();
	const template = chunk.promptTemplate.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, name: string) => {
		const go = Object.prototype.hasOwnProperty.call(MUSTACHE_TO_GO, name) ? MUSTACHE_TO_GO[name] : undefined;
		if (go === undefined) {
			unsupported.add(whole);
			return whole;
		}
		return `{{.${go}}}`;
	});
	if (unsupported.size > 0) {
		return fail('prompt template', `cannot be written for the seed program: ${[...unsupported].slice(0, 5).join(', ')} ha${unsupported.size > 1 ? 've' : 's'} no Go equivalent (only {{character_name}}, {{chunk}}, {{entries_per_iteration}})`);
	}
	const warnings: string[] = [];
	for (const [part, text] of [['context', chunk.context], ['document', chunk.document], ['prompt template', template]] as const) {
		if (normaliseNewlines(text).split('\n').some((line) => SEPARATOR_LINE.test(line))) {
			warnings.push(`${part}: contains a ${SEED003_SEPARATOR} line; Skein reads it back, the seed program would cut the file there`);
		}
	}
	const settings = JSON.stringify({ nb_dataset_entries: chunk.settings.entriesPerIteration, nb_iterations: chunk.settings.iterations });
	const text = [chunk.context.trimEnd(), chunk.document.trimEnd(), settings, template.trimEnd()].join(`\n${SEED003_SEPARATOR}\n`) + '\n';
	return { ok: true, text, warnings };
}
