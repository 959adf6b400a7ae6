/**
 * An identity document from a file: JSON with the document's fields, Markdown with a heading per
 * field ("# Name", "## Maker", "## What I am not", …), or plain text taken as the narrative. The
 * result is a draft to preview and save as a new document, so an import never overwrites one. Bad
 * input gets a message saying where (line, field, key); what is read but not a field is kept (an
 * unknown Markdown section goes into the narrative under its heading) and said in a warning.
 */
import { DEFAULT_OTHER_IDENTITIES, DEFAULT_OTHER_MAKERS, newIdentityDocument } from './identity-document';
import type { IdentityDocument } from './sources';

/** The document's text fields an import can fill. */
export type ImportedField = 'name' | 'iAm' | 'maker' | 'purpose' | 'voice' | 'values' | 'calibration' | 'notThis' | 'narrative';
export type ImportedList = 'otherIdentities' | 'otherMakers';

export interface ImportedIdentity {
	/** The fields found (trimmed); missing ones are left to the new document's defaults. */
	fields: Partial<Record<ImportedField, string>>;
	lists: Partial<Record<ImportedList, string[]>>;
	format: 'json' | 'markdown' | 'text';
	/** What was read but is not a field, and how it was kept. */
	warnings: string[];
}

export type IdentityImportResult = { ok: true; identity: ImportedIdentity } | { ok: false; error: string };

/** Labels of the fields, as the identity page names them (for the preview and messages). */
export const IMPORTED_FIELD_LABELS: Record<ImportedField | ImportedList, string> = {
	name: 'Name',
	iAm: 'I am',
	maker: 'Maker',
	purpose: 'Purpose',
	voice: 'Voice',
	values: 'Values',
	calibration: 'Calibration',
	notThis: 'What it is not',
	narrative: 'Narrative',
	otherIdentities: 'Other identities it must deny being',
	otherMakers: 'Makers it must deny'
};

/** A heading or key, lower case, letters and digits only ("What I'm not" → "whatimnot"). */
function keyOf(text: string): string {
	return text
		.toLowerCase()
		.replace(/[’']/g, '')
		.replace(/[^a-z0-9]+/g, '');
}

/** Heading and key variants, by field (compared after keyOf). */
const ALIASES: Record<ImportedField | ImportedList, string[]> = {
	name: ['name', 'identity', 'identityname', 'assistantname', 'myname', 'title'],
	iAm: ['iam', 'i_am', 'intro', 'introduction', 'oneliner', 'tagline', 'summary', 'whoiam', 'whoami', 'whoyouare'],
	maker: ['maker', 'makers', 'madeby', 'creator', 'creators', 'createdby', 'author', 'builtby', 'developer', 'developedby', 'whomademe', 'whomadeyou', 'origin', 'origins'],
	purpose: ['purpose', 'mission', 'role', 'job', 'whatiamfor', 'whatimfor', 'whatyouarefor', 'goal', 'goals'],
	voice: ['voice', 'tone', 'style', 'howispeak', 'howyouspeak', 'personality', 'voiceandtone'],
	values: ['values', 'principles', 'whaticareabout', 'beliefs'],
	calibration: ['calibration', 'certainty', 'confidence', 'uncertainty', 'howsureiam', 'epistemics'],
	notThis: ['notthis', 'whatiamnot', 'whatimnot', 'whatitisnot', 'whatyouarenot', 'notme', 'iamnot', 'imnot', 'boundaries', 'isnot', 'not'],
	narrative: ['narrative', 'story', 'mystory', 'yourstory', 'background', 'history', 'biography', 'bio', 'backstory', 'about', 'aboutme'],
	otherIdentities: ['otheridentities', 'identitiestodeny', 'notidentities', 'otherassistants', 'othermodels', 'denyidentities', 'nottheseassistants', 'notthesemodels', 'notthese', 'iamnotthese', 'notassistants'],
	otherMakers: ['othermakers', 'makerstodeny', 'notmakers', 'othercompanies', 'denymakers', 'notmadeby', 'notmadebythese', 'notthesemakers', 'notthesecompanies']
};

const FIELD_BY_KEY = new Map<string, ImportedField | ImportedList>();
for (const [field, aliases] of Object.entries(ALIASES) as [ImportedField | ImportedList, string[]][]) for (const alias of aliases) FIELD_BY_KEY.set(keyOf(alias), field);

function isList(field: ImportedField | ImportedList): field is ImportedList {
	return field === 'otherIdentities' || field === 'otherMakers';
}

function tidy(text: string): string {
	return text.replace(/\r\n?/g, '\n').trim();
}

/** Items of a Markdown list section ("- GPT-4"), or comma/semicolon-separated ones on a line. */
function listItems(text: string): string[] {
	const lines = tidy(text)
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	const items = lines.every((line) => /^(?:[-*+•]|\d+[.)])\s+/.test(line)) ? lines.map((line) => line.replace(/^(?:[-*+•]|\d+[.)])\s+/, '')) : lines.flatMap((line) => line.split(/[;,]/));
	return items.map((item) => item.trim()).filter(Boolean);
}

/** Line and column of a character offset (1-based), for a JSON syntax error. */
function lineColumn(text: string, offset: number): string {
	const before = text.slice(0, offset);
	const line = before.split('\n').length;
	const column = offset - before.lastIndexOf('\n');
	return `line ${line}, column ${column}`;
}

/** Where a JSON.parse error is, from the engine's message ("at position 41", "(line 3 column 5)"). */
function jsonErrorWhere(text: string, message: string): string {
	const lineCol = /line (\d+) column (\d+)/.exec(message);
	if (lineCol) return `line ${lineCol[1]}, column ${lineCol[2]}`;
	const position = /position (\d+)/.exec(message);
	if (position) return lineColumn(text, Number(position[1]));
	return 'near the end';
}

/** The line a key first appears on in a JSON text (for a message about its value). */
function keyLine(text: string, key: string): string {
	const at = text.indexOf(JSON.stringify(key));
	return at < 0 ? '' : ` (line ${text.slice(0, at).split('\n').length})`;
}

function fromJson(text: string): IdentityImportResult {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// The engine's own position ("at position 38 (line 4 column 3)") is said once, as a line and column.
		const what = message
			.replace(/^JSON\.parse: /, '')
			.replace(/\s*(?:in JSON\s*)?at (?:position \d+|line \d+ column \d+)(?: \(line \d+ column \d+\))?.*$/s, '')
			.replace(/ of the JSON data$/, '');
		return { ok: false, error: `The JSON does not parse at ${jsonErrorWhere(text, message)}: ${what}.` };
	}
	// One document, or a list of one (an export of the library holds a list).
	if (Array.isArray(value)) {
		if (value.length !== 1) return { ok: false, error: `The JSON is a list of ${value.length} items; import one identity document (a JSON object) at a time.` };
		value = value[0];
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'The JSON is not an object: an identity document is an object such as {"name": "Tidewatch", "maker": "…", "narrative": "…"}.' };
	const identity: ImportedIdentity = { fields: {}, lists: {}, format: 'json', warnings: [] };
	const ignored: string[] = [];
	for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
		const field = FIELD_BY_KEY.get(keyOf(key));
		if (!field) {
			// Stored documents carry these; an import makes a new one with its own.
			if (!['id', 'createdat', 'updatedat'].includes(keyOf(key))) ignored.push(key);
			continue;
		}
		if (raw === null || raw === undefined) continue;
		if (isList(field)) {
			const items = typeof raw === 'string' ? listItems(raw) : Array.isArray(raw) ? raw : null;
			if (!items || items.some((item) => typeof item !== 'string')) return { ok: false, error: `"${key}"${keyLine(text, key)} must be a list of names (text), such as ["GPT-4", "Claude"].` };
			identity.lists[field] = (items as string[]).map((item) => item.trim()).filter(Boolean);
			continue;
		}
		let fieldText: string;
		if (typeof raw === 'string') fieldText = raw;
		else if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) fieldText = raw.join('\n');
		else return { ok: false, error: `"${key}"${keyLine(text, key)} must be text, not ${Array.isArray(raw) ? 'a list of other things' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`}.` };
		if (identity.fields[field] !== undefined) identity.warnings.push(`"${key}" is another name for ${IMPORTED_FIELD_LABELS[field]}; its text was added after the first.`);
		identity.fields[field] = [identity.fields[field], tidy(fieldText)].filter(Boolean).join('\n\n');
	}
	if (ignored.length) identity.warnings.push(`Not an identity field, left out: ${ignored.map((key) => `"${key}"`).join(', ')}.`);
	return hasContent(identity) ? { ok: true, identity } : { ok: false, error: 'The JSON object has none of the identity fields (name, maker, purpose, voice, values, what it is not, narrative…).' };
}

function hasContent(identity: ImportedIdentity): boolean {
	return Object.values(identity.fields).some((value) => !!value) || Object.values(identity.lists).some((items) => !!items?.length);
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

function fromMarkdown(text: string): IdentityImportResult {
	const lines = tidy(text).split('\n');
	const identity: ImportedIdentity = { fields: {}, lists: {}, format: 'markdown', warnings: [] };
	interface Section {
		heading: string;
		level: number;
		line: number;
		body: string[];
	}
	const sections: Section[] = [];
	let current: Section = { heading: '', level: 0, line: 1, body: [] };
	let fence = false;
	lines.forEach((line, index) => {
		if (/^\s*(```|~~~)/.test(line)) fence = !fence;
		const heading = fence ? null : HEADING.exec(line);
		if (heading) {
			sections.push(current);
			current = { heading: heading[2], level: heading[1].length, line: index + 1, body: [] };
		} else current.body.push(line);
	});
	sections.push(current);

	const known = sections.filter((section) => section.heading && FIELD_BY_KEY.has(keyOf(section.heading)));
	// A top heading that names no field is the title: the name ("# Tidewatch").
	const title = sections.find((section) => section.level === 1 && section.heading && !FIELD_BY_KEY.has(keyOf(section.heading)));
	if (!known.length && !title) return { ok: false, error: 'No heading names an identity field. Use headings such as "# Name", "## Maker", "## Purpose", "## Voice", "## Values", "## What I am not", "## Narrative" (or import the text as a plain .txt narrative).' };

	const extra: string[] = [];
	let owner: { field: ImportedField | ImportedList; level: number } | null = null;
	for (const section of sections) {
		const body = tidy(section.body.join('\n'));
		const field = section.heading ? FIELD_BY_KEY.get(keyOf(section.heading)) : undefined;
		if (section === title) {
			if (identity.fields.name === undefined) identity.fields.name = section.heading.trim();
			if (body) identity.fields.iAm = [identity.fields.iAm, body].filter(Boolean).join('\n');
			owner = null;
			continue;
		}
		if (field) {
			owner = { field, level: section.level };
			if (isList(field)) identity.lists[field] = [...(identity.lists[field] ?? []), ...listItems(body)];
			else {
				if (identity.fields[field] !== undefined) identity.warnings.push(`Line ${section.line}: a second "${section.heading}" section; its text was added to ${IMPORTED_FIELD_LABELS[field]}.`);
				// The name is one line: "# Name\nTidewatch".
				const value = field === 'name' ? (body.split('\n')[0] ?? '').trim() : body;
				if (field === 'name' && body.includes('\n')) identity.warnings.push(`Line ${section.line}: only the first line under "${section.heading}" is the name; the rest was left out.`);
				identity.fields[field] = [identity.fields[field], value].filter(Boolean).join('\n\n');
			}
			continue;
		}
		if (!section.heading) {
			// Text before the first heading.
			if (body) extra.push(body);
			continue;
		}
		// A subheading inside a field's section ("## Narrative" → "### Early years") stays in that field.
		if (owner && section.level > owner.level && !isList(owner.field)) {
			const text = `${'#'.repeat(section.level)} ${section.heading}${body ? `\n\n${body}` : ''}`;
			identity.fields[owner.field] = [identity.fields[owner.field], text].filter(Boolean).join('\n\n');
			continue;
		}
		owner = null;
		identity.warnings.push(`Line ${section.line}: "${section.heading}" is not an identity field; it was added to the narrative under its heading.`);
		extra.push(`# ${section.heading}${body ? `\n\n${body}` : ''}`);
	}
	if (extra.length) identity.fields.narrative = [identity.fields.narrative, ...extra].filter(Boolean).join('\n\n');
	return hasContent(identity) ? { ok: true, identity } : { ok: false, error: 'The headings name identity fields, but every section under them is empty.' };
}

function fromText(text: string, fileName: string): IdentityImportResult {
	const narrative = tidy(text);
	const name = fileName.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ').trim();
	return {
		ok: true,
		identity: {
			fields: { narrative, ...(name ? { name } : {}) },
			lists: {},
			format: 'text',
			warnings: name ? [`Plain text: the whole file is the narrative, and the name "${name}" comes from the file name.`] : ['Plain text: the whole file is the narrative.']
		}
	};
}

/** Reads an identity document from a file's name and text. */
export function parseIdentityFile(fileName: string, text: string): IdentityImportResult {
	const body = text.replace(/^\uFEFF/, '');
	if (!body.trim()) return { ok: false, error: `${fileName || 'The file'} is empty.` };
	if (body.includes('\u0000')) return { ok: false, error: `${fileName || 'The file'} is not text (it holds binary data). Import a .md, .txt or .json file.` };
	const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
	const looksJson = /^\s*[[{]/.test(body);
	if (extension === 'json' || (!['md', 'markdown', 'txt'].includes(extension) && looksJson)) return fromJson(body);
	const hasHeadings = body.split(/\r?\n/).some((line) => HEADING.test(line));
	if (extension === 'txt' || !hasHeadings) return fromText(body, fileName);
	return fromMarkdown(body);
}

/**
 * The new document an import makes: a fresh one (its own id, the usual identities and makers to
 * deny unless the file lists its own) with the imported fields. The name falls back to the file's.
 */
export function importedIdentityDocument(identity: ImportedIdentity, now: number, id?: string): IdentityDocument {
	const base = newIdentityDocument(identity.fields.name ?? '', now, id);
	const doc: IdentityDocument = { ...base, ...identity.fields, name: (identity.fields.name ?? '').trim() || base.name };
	if (identity.fields.iAm === undefined) doc.iAm = `I am ${doc.name}.`;
	doc.otherIdentities = identity.lists.otherIdentities ?? [...DEFAULT_OTHER_IDENTITIES];
	doc.otherMakers = identity.lists.otherMakers ?? [...DEFAULT_OTHER_MAKERS];
	return doc;
}
