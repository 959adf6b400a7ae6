/**
 * Entries → JSONL lines.
 *
 * - `openai`: the minimal trainer format, `{"messages": [...]}`, every message with all its
 *   preserved keys, plus `tools` from `extra` (OpenAI allows a top-level tools list).
 * - `skein`: full fidelity. The messages stay at the top level as `messages` and the entry's
 *   unknown keys (`extra`) stay at the top level too, so tools that read `messages` can still use
 *   the file; Skein's own fields go under one `skein` key: `{v: 1, id, tags, characters?, meta, hash}`.
 *   If an extra key is itself `messages` or `skein`, spreading it would clobber ours, so then the
 *   whole `extra` goes under `skein.extra` instead (and nothing else at the top level). The
 *   importer reads `skein.extra` when present, so the round trip is exact either way.
 *
 * Objects are built with literals and spread only (spread defines own properties, so an extra key
 * named `__proto__` stays data).
 */
import type { Entry } from '../model';
import { hasKey } from '../json-safety';
import { SKEIN_FORMAT_VERSION, SKEIN_RESERVED_KEYS } from '../formats/skein';
import { normaliseTools } from '../formats/tool-calls';

export const EXPORT_FORMATS = ['openai', 'skein'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Every format the export writers (`./writers.ts`) can produce. `ExportFormat` stays the subset
 * `entryToLine` writes for every entry; the others can refuse an entry they cannot express.
 */
export const EXPORT_FILE_FORMATS = ['openai', 'skein', 'sharegpt', 'alpaca', 'prompt-response', 'dpo', 'kto', 'sharegpt-ranking', 'rendered-text'] as const;
export type ExportFileFormat = (typeof EXPORT_FILE_FORMATS)[number];

/** The full-fidelity record for an entry (before `JSON.stringify`). */
export function entryToSkeinRecord(entry: Entry): Record<string, unknown> {
	const extraKeys = Object.keys(entry.extra);
	const collides = extraKeys.some((key) => SKEIN_RESERVED_KEYS.has(key));
	const skein = {
		v: SKEIN_FORMAT_VERSION,
		id: entry.id,
		tags: entry.tags,
		...(entry.characters !== undefined ? { characters: entry.characters } : {}),
		meta: entry.meta,
		hash: entry.hash,
		...(entry.preference !== undefined ? { preference: entry.preference } : {}),
		...(collides ? { extra: entry.extra } : {})
	};
	if (collides || extraKeys.length === 0) return { messages: entry.messages, skein };
	return { messages: entry.messages, ...entry.extra, skein };
}

/** Nothing to note while re-reading a stored tools value at export. */
const SILENT = { note() {} };

/**
 * The minimal OpenAI record for an entry: messages, `tools` as OpenAI's list (a tools value
 * stored as JSON text by an older import is parsed; an empty text means no tools) and
 * `parallel_tool_calls`, both from the entry's extra keys.
 */
export function entryToOpenAiRecord(entry: Entry): Record<string, unknown> {
	const extra = entry.extra;
	const tools = hasKey(extra, 'tools') ? extra.tools : undefined;
	const hasTools = tools !== undefined && tools !== null && tools !== '';
	const parallel = hasKey(extra, 'parallel_tool_calls') ? extra.parallel_tool_calls : undefined;
	if (!hasTools && parallel === undefined) return { messages: entry.messages };
	return {
		messages: entry.messages,
		...(hasTools ? { tools: typeof tools === 'string' ? normaliseTools(tools, SILENT) : tools } : {}),
		...(parallel !== undefined ? { parallel_tool_calls: parallel } : {})
	};
}

/** One JSONL line (without the newline) for an entry. */
export function entryToLine(entry: Entry, format: ExportFormat): string {
	return JSON.stringify(format === 'skein' ? entryToSkeinRecord(entry) : entryToOpenAiRecord(entry));
}

/** Characters never allowed in a file name on common systems, plus control characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE_FILE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]+/g;
const RESERVED_WINDOWS_NAMES = /^(con|prn|aux|nul|com\d|lpt\d)$/i;
const MAX_BASE_LENGTH = 100;

/** A dataset name made safe for use as a file name: no path separators or control characters,
 * whitespace runs as `-`, no leading dots, bounded length; `dataset` if nothing is left. */
export function safeFileBaseName(name: string): string {
	let base = name
		.normalize('NFC')
		.replace(UNSAFE_FILE_NAME_CHARS, '-')
		.replace(/\s+/g, '-')
		.replace(/-{2,}/g, '-')
		.replace(/^[-.]+|[-.]+$/g, '');
	if (base.length > MAX_BASE_LENGTH) base = Array.from(base).slice(0, MAX_BASE_LENGTH).join('').replace(/[-.]+$/, '');
	if (base === '') return 'dataset';
	if (RESERVED_WINDOWS_NAMES.test(base)) return `${base}-dataset`;
	return base;
}

/** The local calendar date as YYYY-MM-DD (the user's day, not UTC's). */
export function localDateStamp(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What an earlier export added to the name (`.train.openai.2026-11-22`): a re-imported export is named after its file. */
const EXPORT_SUFFIX = /(?:\.[a-z][a-z0-9_-]*)?\.[a-z][a-z0-9-]*\.\d{4}-\d{2}-\d{2}$/;

/** The file name's base for a dataset: safe, and without the suffix of an earlier export (no doubled dates). */
export function exportBaseName(datasetName: string): string {
	const base = safeFileBaseName(datasetName);
	const stripped = base.replace(EXPORT_SUFFIX, '');
	return stripped === '' ? base : stripped;
}

/** `my-dataset.openai.2026-11-22.jsonl` */
export function exportFileName(datasetName: string, format: ExportFileFormat, date: Date): string {
	return `${exportBaseName(datasetName)}.${format}.${localDateStamp(date)}.jsonl`;
}
