/**
 * The Hugging Face Hub dataset card (README.md) of a Hub export: YAML front matter as the Hub
 * documents it (hub-docs `datasetcard.md`, "Manual configuration": `configs` with `data_files`
 * per split; license ids from the Hub's license list, `other` with `license_name` and
 * `license_link`; ISO 639 language codes; `task_categories`; `size_categories` in the Hub's
 * buckets; `dataset_info.features` as `datasets` writes them: a chat column is
 * `list: [{name: role, dtype: string}, …]`, a list of strings `sequence: string`), then a body
 * generated from the figures of what was written (`figures.ts`). The user may edit the text
 * before export; `checkCard` then verifies that the front matter still parses and that its splits
 * name exactly the files in the zip.
 */
import { parse, stringify } from 'yaml';
import { formatCount } from '../display';
import { isRecord } from '../json-safety';
import type { ParquetLayout } from '../parquet/columns';
import type { HubFigures, HubSplit } from './figures';

export const HUB_LICENSES: readonly { id: string; label: string }[] = [
	{ id: 'apache-2.0', label: 'Apache 2.0' },
	{ id: 'mit', label: 'MIT' },
	{ id: 'cc-by-4.0', label: 'CC BY 4.0' },
	{ id: 'cc-by-sa-4.0', label: 'CC BY-SA 4.0' },
	{ id: 'cc-by-nc-4.0', label: 'CC BY-NC 4.0' },
	{ id: 'cc-by-nc-sa-4.0', label: 'CC BY-NC-SA 4.0' },
	{ id: 'cc0-1.0', label: 'CC0 1.0 (public domain)' },
	{ id: 'odc-by', label: 'ODC-By' },
	{ id: 'llama3.1', label: 'Llama 3.1 Community License' },
	{ id: 'gemma', label: 'Gemma Terms of Use' },
	{ id: 'unknown', label: 'unknown' },
	{ id: 'other', label: 'other (give its name and a link)' }
];

export const HUB_TASK_CATEGORIES: readonly string[] = ['text-generation', 'question-answering', 'summarization', 'translation', 'text-classification', 'text2text-generation', 'fill-mask', 'other'];

/** The Hub's size buckets (number of examples). */
export function sizeCategory(n: number): string {
	const buckets: [number, string][] = [
		[1e3, 'n<1K'],
		[1e4, '1K<n<10K'],
		[1e5, '10K<n<100K'],
		[1e6, '100K<n<1M'],
		[1e7, '1M<n<10M'],
		[1e8, '10M<n<100M'],
		[1e9, '100M<n<1B'],
		[1e10, '1B<n<10B'],
		[1e11, '10B<n<100B'],
		[1e12, '100B<n<1T']
	];
	for (const [limit, label] of buckets) if (n < limit) return label;
	return 'n>1T';
}

export type HubFileFormat = 'parquet' | 'jsonl';

/** `data/train-00000-of-00002.parquet`, as the Hub's `push_to_hub` names shards. */
export function hubShardPath(split: HubSplit, index: number, count: number, format: HubFileFormat): string {
	const pad = (n: number) => String(n).padStart(5, '0');
	return `data/${split}-${pad(index)}-of-${pad(count)}.${format}`;
}

export interface HubCardOptions {
	prettyName: string;
	license: string;
	/** With license `other`: an id for it (`my-license-1.0`) and where it is (`LICENSE.md` or a URL). */
	licenseName?: string;
	licenseLink?: string;
	/** ISO 639-1/2/3 codes. */
	languages: string[];
	taskCategories: string[];
	tags: string[];
	description?: string;
}

export interface HubCardInput {
	options: HubCardOptions;
	figures: HubFigures;
	layout: ParquetLayout;
	format: HubFileFormat;
	/** The shard paths of each split, in the zip. */
	files: { split: HubSplit; paths: string[] }[];
	/** Validation share and seed of the split, for the card to say how it was made. */
	validationPercent: number;
	seed: number;
	date: Date;
}

type Feature = Record<string, unknown>;

function featuresOf(layout: ParquetLayout): Feature[] {
	const messageFields: Feature[] = [
		{ name: 'role', dtype: 'string' },
		{ name: 'content', dtype: 'string' },
		...layout.messageFields.map((field) => ({ name: field, dtype: field === 'weight' ? 'float64' : 'string' }))
	];
	return [{ name: 'messages', list: messageFields }, ...layout.columns.map((column) => (column === 'tags' ? { name: 'tags', sequence: 'string' } : { name: column, dtype: 'string' }))];
}

/** The YAML front matter's data (before `stringify`). */
export function cardMetadata(input: HubCardInput): Record<string, unknown> {
	const { options, figures } = input;
	const other = options.license === 'other';
	const meta: Record<string, unknown> = {
		...(options.prettyName.trim() ? { pretty_name: options.prettyName.trim() } : {}),
		license: options.license,
		...(other && options.licenseName?.trim() ? { license_name: options.licenseName.trim() } : {}),
		...(other && options.licenseLink?.trim() ? { license_link: options.licenseLink.trim() } : {}),
		...(options.languages.length > 0 ? { language: [...options.languages] } : {}),
		...(options.taskCategories.length > 0 ? { task_categories: [...options.taskCategories] } : {}),
		...(options.tags.length > 0 ? { tags: [...options.tags] } : {}),
		size_categories: [sizeCategory(figures.entries)],
		configs: [
			{
				config_name: 'default',
				data_files: input.files.map((file) => ({ split: file.split, path: `data/${file.split}-*` }))
			}
		],
		dataset_info: {
			features: featuresOf(input.layout),
			splits: figures.splits.map((split) => ({ name: split.name, num_examples: split.entries }))
		}
	};
	return meta;
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
	return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function percent(part: number, whole: number): string {
	return whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}

function round(n: number): string {
	return Number.isInteger(n) ? formatCount(n) : n.toFixed(1);
}

/** The card's Markdown body from the figures. */
export function cardBody(input: HubCardInput): string {
	const { options, figures, layout } = input;
	const lines: string[] = [];
	const title = options.prettyName.trim() || 'Dataset';
	lines.push(`# ${title}`, '');
	if (options.description?.trim()) lines.push(options.description.trim(), '');
	const fileKind = input.format === 'parquet' ? 'Parquet (Snappy-compressed)' : 'JSON Lines';
	lines.push(
		`Chat fine-tuning data: ${formatCount(figures.entries)} conversations in the \`messages\` format (a list of \`{role, content}\` turns), exported from Skein on ${input.date.toISOString().slice(0, 10)} as ${fileKind}.`,
		''
	);
	lines.push('## Dataset structure', '', '| column | type | what it holds |', '| --- | --- | --- |');
	lines.push(`| messages | list of {role, content${layout.messageFields.map((f) => ', ' + f).join('')}} | the conversation, one turn per item${layout.messageFields.includes('tool_calls') ? '; tool_calls is JSON text' : ''} |`);
	const columnText: Record<string, string> = {
		id: 'the entry id in Skein',
		tags: 'Skein tags',
		review: 'review state: draft, accepted or rejected',
		source: 'where the entry was imported from (format:file:line)',
		notes: 'reviewer notes',
		characters: 'speaker → character name (JSON text)',
		provenance: 'how the entry was generated: recipe, model, steps (JSON text)',
		tools: 'the OpenAI tools list (JSON text)'
	};
	for (const column of layout.columns) lines.push(`| ${column} | ${column === 'tags' ? 'list of strings' : 'string'} | ${columnText[column] ?? ''} |`);
	lines.push('');
	lines.push('## Splits', '', '| split | conversations | files |', '| --- | --- | --- |');
	for (const split of figures.splits) {
		const paths = input.files.find((f) => f.split === split.name)?.paths ?? [];
		lines.push(`| ${split.name} | ${formatCount(split.entries)} | ${paths.map((p) => '`' + p + '`').join(', ')} |`);
	}
	lines.push('');
	if (figures.splits.length > 1) lines.push(`The validation split is ${input.validationPercent}% of the conversations, chosen by a seeded shuffle (seed ${input.seed}), so the same data and seed give the same split.`, '');
	lines.push('## Figures', '');
	const m = figures.messages;
	lines.push(`- Conversations: ${formatCount(figures.entries)}`);
	lines.push(`- Turns per conversation: min ${round(m.min)}, median ${round(m.median)}, mean ${round(m.mean)}, max ${round(m.max)}`);
	lines.push(`- Turns by role: ${figures.roles.map((r) => `${cell(r.role)} ${formatCount(r.messages)}`).join(', ') || 'none'}`);
	const tokens = figures.tokens;
	if (tokens !== null && 'error' in tokens) lines.push(`- Tokens: not counted (${tokens.tokenizerLabel}: ${cell(tokens.error)})`);
	else if (tokens !== null) {
		const t = tokens.perEntry;
		lines.push(
			`- Tokens (${tokens.tokenizerLabel}, including the chat template's per-turn tokens): ${formatCount(tokens.total)} in all; per conversation min ${round(t.min)}, median ${round(t.median)}, mean ${round(t.mean)}, p90 ${round(t.p90)}, p95 ${round(t.p95)}, max ${round(t.max)}`
		);
		const a = tokens.assistantPerEntry;
		lines.push(`- Assistant tokens per conversation: median ${round(a.median)}, mean ${round(a.mean)}, max ${round(a.max)}`);
	}
	lines.push('');
	lines.push('## Review', '', '| review state | conversations | share |', '| --- | --- | --- |');
	for (const state of ['accepted', 'draft', 'rejected'] as const) lines.push(`| ${state} | ${formatCount(figures.reviewStates[state])} | ${percent(figures.reviewStates[state], figures.entries)} |`);
	lines.push('');
	if (figures.sources.length > 0) {
		lines.push('## Sources', '', '| imported from | format | conversations |', '| --- | --- | --- |');
		for (const source of figures.sources.slice(0, 20)) lines.push(`| ${source.file ? cell(source.file) : '(no file)'} | ${cell(source.format)} | ${formatCount(source.entries)} |`);
		if (figures.sources.length > 20) lines.push(`| … ${figures.sources.length - 20} more | | |`);
		lines.push('');
	}
	if (figures.recipes.length > 0) {
		lines.push('## Generation', '', `${formatCount(figures.generated)} conversations were generated with Skein's recipes:`, '', '| recipe | models | conversations |', '| --- | --- | --- |');
		for (const recipe of figures.recipes) lines.push(`| ${cell(recipe.recipe)} | ${recipe.models.map(cell).join(', ') || '(not recorded)'} | ${formatCount(recipe.entries)} |`);
		lines.push('');
	}
	lines.push('## Validation', '');
	const check = figures.check;
	if (check === null) lines.push('No validation check was run on the exported data.');
	else if (check.entriesWithErrors === 0 && check.entriesWithWarnings === 0) lines.push(`Every exported conversation passes Skein's “${cell(check.profileId)}” validation profile (no errors, no warnings).`);
	else {
		lines.push(
			`Checked with Skein's “${cell(check.profileId)}” validation profile before export: ${formatCount(check.entriesWithErrors)} conversations with errors, ${formatCount(check.entriesWithWarnings)} with warnings only, ${formatCount(Math.max(0, check.entries - check.entriesWithErrors - check.entriesWithWarnings))} clean.`
		);
		if (check.rules.length > 0) {
			lines.push('', '| rule | severity | conversations |', '| --- | --- | --- |');
			for (const rule of check.rules.slice(0, 12)) lines.push(`| ${cell(rule.title)} | ${rule.severity} | ${formatCount(rule.entries)} |`);
		}
	}
	lines.push('', '## Loading', '', '```python', 'from datasets import load_dataset', '', 'dataset = load_dataset("<user>/<dataset>")', '```', '');
	return lines.join('\n');
}

/** The whole README.md: front matter and body. */
export function buildCard(input: HubCardInput): string {
	return `---\n${stringify(cardMetadata(input), { lineWidth: 0 })}---\n\n${cardBody(input)}`;
}

export type ParsedCard = { ok: true; metadata: Record<string, unknown>; body: string } | { ok: false; error: string };

/** Splits a README into its YAML front matter (parsed) and body. */
export function parseCard(text: string): ParsedCard {
	const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text.replace(/^\uFEFF/, ''));
	if (match === null) return { ok: false, error: 'the card has no YAML front matter: it must start with a line "---", the metadata, and another "---"' };
	let metadata: unknown;
	try {
		metadata = parse(match[1]);
	} catch (error) {
		return { ok: false, error: `the card's YAML front matter does not parse: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
	}
	if (!isRecord(metadata)) return { ok: false, error: 'the card\'s YAML front matter is not a mapping of keys ("license: …", "configs: …")' };
	return { ok: true, metadata, body: text.slice(match[0].length) };
}

/** Whether a `data_files` path pattern (with `*` wildcards, as the Hub reads them) matches a path. */
export function pathMatches(pattern: string, path: string): boolean {
	const regex = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
	return regex.test(path);
}

/**
 * What is wrong with an (edited) card for these files: front matter that does not parse, a
 * missing license, configs whose splits do not name exactly the files of each split, split
 * counts that differ from the files'. Empty when the card fits.
 */
export function checkCard(text: string, files: { split: HubSplit; paths: string[]; entries: number }[]): string[] {
	const parsed = parseCard(text);
	if (!parsed.ok) return [parsed.error];
	const problems: string[] = [];
	const meta = parsed.metadata;
	if (typeof meta.license !== 'string' || meta.license.trim() === '') problems.push('the front matter has no license');
	if (meta.license === 'other' && (typeof meta.license_name !== 'string' || typeof meta.license_link !== 'string'))
		problems.push('license "other" needs license_name (an id such as my-license-1.0) and license_link (LICENSE.md or a URL)');
	const configs = Array.isArray(meta.configs) ? meta.configs : [];
	const config = configs.find((c) => isRecord(c) && c.config_name === 'default') ?? configs[0];
	const dataFiles = isRecord(config) && Array.isArray(config.data_files) ? config.data_files : null;
	if (dataFiles === null) problems.push('the front matter has no configs → data_files list naming the splits');
	else {
		const declared = new Map<string, string[]>();
		for (const item of dataFiles) {
			if (!isRecord(item) || typeof item.split !== 'string') continue;
			const paths = Array.isArray(item.path) ? item.path.filter((p): p is string => typeof p === 'string') : typeof item.path === 'string' ? [item.path] : [];
			declared.set(item.split, paths);
		}
		const all = files.flatMap((f) => f.paths);
		for (const file of files) {
			const patterns = declared.get(file.split);
			if (patterns === undefined) {
				problems.push(`the split "${file.split}" is in the zip but not declared in configs → data_files`);
				continue;
			}
			const matched = all.filter((path) => patterns.some((pattern) => pathMatches(pattern, path)));
			const expected = [...file.paths].sort();
			if (matched.sort().join('\n') !== expected.join('\n')) problems.push(`the data_files of split "${file.split}" (${patterns.join(', ')}) do not match its files (${file.paths.join(', ')})`);
		}
		for (const split of declared.keys()) if (!files.some((f) => f.split === split)) problems.push(`the split "${split}" is declared in configs → data_files but has no files in the zip`);
	}
	const info = isRecord(meta.dataset_info) ? meta.dataset_info : null;
	const splits = info && Array.isArray(info.splits) ? info.splits : [];
	for (const split of splits) {
		if (!isRecord(split) || typeof split.name !== 'string') continue;
		const file = files.find((f) => f.split === split.name);
		if (file && typeof split.num_examples === 'number' && split.num_examples !== file.entries)
			problems.push(`dataset_info says the split "${split.name}" has ${split.num_examples} examples, but its files have ${file.entries}`);
	}
	return problems;
}
