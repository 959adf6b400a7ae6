import { describe, expect, it } from 'vitest';
import { FileImporter } from './file-importer';
import { compileFilter } from '../curation/filters';
import { importTags, renameTag, tagLookup, type TagDefinition } from '../curation/tags';
import type { Entry } from '../model';
import { hashMessages } from '../hash';

// A library where "slow-burn" was renamed to "slow-romance" (and "rp" is an older alias of roleplay).
const before: TagDefinition[] = [
	{ slug: 'slow-burn', label: 'Slow burn', category: 'pacing', aliases: [] },
	{ slug: 'roleplay', label: 'Roleplay', aliases: ['rp'] }
];
const renamed = renameTag(before, 'slow-burn', 'slow-romance');
if (!renamed.ok) throw new Error(renamed.error);
const lookup = tagLookup(renamed.registry);

function skeinLine(id: string, tags: string[]): string {
	const messages = [
		{ role: 'user', content: `Hello from ${id}` },
		{ role: 'assistant', content: 'Hello back.' }
	];
	return JSON.stringify({ messages, skein: { v: 1, id, tags, meta: { review: 'accepted' }, hash: hashMessages(messages) } });
}

function importText(text: string, tagLookupMap?: ReadonlyMap<string, string>) {
	let n = 0;
	const importer = new FileImporter({ fileName: 'older-export.skein.jsonl', sizeBytes: text.length, newId: () => `n${++n}`, ...(tagLookupMap ? { tagLookup: tagLookupMap } : {}) });
	const entries = [...importer.push(text), ...importer.finish()];
	return { entries, report: importer.report };
}

describe('importTags', () => {
	it('normalises to slugs and follows aliases of renamed tags, reporting the original', () => {
		const out = importTags(['Slow Burn', 'slow-burn', 'rp', 'banter', '!!!'], lookup);
		expect(out.tags).toEqual(['slow-romance', 'roleplay', 'banter']);
		expect(out.changes).toEqual([
			{ original: 'Slow Burn', slug: 'slow-romance', viaAlias: 'slow-burn' },
			{ original: 'slow-burn', slug: 'slow-romance', viaAlias: 'slow-burn' },
			{ original: 'rp', slug: 'roleplay', viaAlias: 'rp' },
			{ original: '!!!', slug: '' }
		]);
	});

	it('keeps slugs the library does not know as they are', () => {
		expect(importTags(['storm-scene'], lookup)).toEqual({ tags: ['storm-scene'], changes: [] });
	});
});

describe('FileImporter with the tag library', () => {
	const file = [skeinLine('a', ['slow-burn', 'banter']), skeinLine('b', ['Slow Burn']), skeinLine('c', ['Opening Lines', 'opening-lines']), skeinLine('d', ['storm'])].join('\n') + '\n';

	it("maps a renamed tag's old name to the new one and normalises the rest to slugs", () => {
		const { entries, report } = importText(file, lookup);
		expect(entries.map((e: Entry) => e.tags)).toEqual([['slow-romance', 'banter'], ['slow-romance'], ['opening-lines'], ['storm']]);
		const notes = Object.fromEntries(report.notes.map((note) => [note.text, note.count]));
		expect(notes['tag #slow-burn is an old name of #slow-romance (renamed in the tag library): stored as #slow-romance']).toBe(1);
		expect(notes['tag "Slow Burn" (#slow-burn) is an old name of #slow-romance (renamed in the tag library): stored as #slow-romance']).toBe(1);
		expect(notes['tag "Opening Lines" stored as #opening-lines (tags are stored as slugs)']).toBe(1);
		expect(report.imported).toBe(4);
	});

	it('with an empty library normalises to slugs and keeps the old names', () => {
		const { entries } = importText(file, new Map());
		expect(entries.map((e: Entry) => e.tags)).toEqual([['slow-burn', 'banter'], ['slow-burn'], ['opening-lines'], ['storm']]);
	});

	it('without a library keeps the tags exactly as the file has them (a pure round trip)', () => {
		const { entries, report } = importText(file);
		expect(entries.map((e: Entry) => e.tags)).toEqual([['slow-burn', 'banter'], ['Slow Burn'], ['Opening Lines', 'opening-lines'], ['storm']]);
		expect(report.notes.some((note) => note.text.startsWith('tag '))).toBe(false);
	});

	it('maps a split tag of a wrapping object through the library', () => {
		const wrapped = JSON.stringify({
			train: [{ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] }],
			rp: [{ messages: [{ role: 'user', content: 'q2' }, { role: 'assistant', content: 'a2' }] }]
		});
		const { entries } = importText(wrapped, lookup);
		expect(entries.map((e: Entry) => e.tags)).toEqual([['train'], ['roleplay']]);
	});
});

describe('filters with the tag library', () => {
	const entry = (id: string, tags: string[]): Entry => ({ id, messages: [], tags, meta: { review: 'draft' }, extra: {}, hash: '' });
	const entries = [entry('old', ['slow-burn']), entry('new', ['slow-romance']), entry('other', ['banter'])];
	const ids = (filter: Parameters<typeof compileFilter>[0], withLookup = true) => {
		const compiled = compileFilter(filter, withLookup ? { tagLookup: lookup } : {});
		if (!compiled.ok) throw new Error(compiled.error.message);
		return entries.filter(compiled.matches).map((e) => e.id);
	};

	it('an old name in the filter means the renamed tag, and entries still carrying the old name match', () => {
		expect(ids({ tagsAny: ['slow-burn'] })).toEqual(['old', 'new']);
		expect(ids({ tagsAll: ['slow-romance'] })).toEqual(['old', 'new']);
		expect(ids({ tagsNone: ['slow-romance'] })).toEqual(['other']);
	});

	it('without the library a tag matches only itself', () => {
		expect(ids({ tagsAny: ['slow-burn'] }, false)).toEqual(['old']);
	});
});
