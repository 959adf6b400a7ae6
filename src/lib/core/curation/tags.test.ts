import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	addTagDefinition,
	addTags,
	adoptTags,
	countTags,
	labelFromSlug,
	removeTags,
	renameTag,
	replaceTag,
	resolveTag,
	slugifyTag,
	unknownTags,
	type TagDefinition
} from './tags';
import { roleplayEntries } from './test-fixtures';

const registry: TagDefinition[] = [
	{ slug: 'roleplay', label: 'Roleplay', category: 'interaction', aliases: ['rp'] },
	{ slug: 'banter', label: 'Banter', category: 'style', aliases: [] },
	{ slug: 'identity', label: 'Identity', aliases: [] }
];

describe('slugifyTag', () => {
	it('normalises what people type', () => {
		expect(slugifyTag('  Slow Burn ')).toBe('slow-burn');
		expect(slugifyTag('Slice of Life!!')).toBe('slice-of-life');
		expect(slugifyTag('no_user_control')).toBe('no_user_control');
		expect(slugifyTag('<script>alert(1)</script>')).toBe('scriptalert1script');
		expect(slugifyTag('Café  Noir')).toBe('café-noir');
		expect(slugifyTag('日本語 タグ')).toBe('日本語-タグ');
		expect(slugifyTag('--- ')).toBe('');
		expect(slugifyTag('a'.repeat(100))).toHaveLength(64);
	});

	it('is idempotent and bounded', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (raw) => {
				const slug = slugifyTag(raw);
				expect(slugifyTag(slug)).toBe(slug);
				expect(Array.from(slug).length).toBeLessThanOrEqual(64);
				expect(slug).not.toMatch(/\s|[A-Z]|^-|-$/);
			})
		);
	});

	it('is idempotent where removed characters leave combining marks to reorder (found by the property above)', () => {
		const slug = slugifyTag('\u1fdd\u{1d15f}');
		expect(slugifyTag(slug)).toBe(slug);
	});

	it('labels from slugs', () => {
		expect(labelFromSlug('slow-burn')).toBe('Slow burn');
	});
});

describe('registry', () => {
	it('resolves slugs, spellings and aliases', () => {
		expect(resolveTag(registry, 'Banter')).toEqual({ slug: 'banter', known: true });
		expect(resolveTag(registry, 'RP')).toEqual({ slug: 'roleplay', known: true, viaAlias: 'rp' });
		expect(resolveTag(registry, 'Slow burn')).toEqual({ slug: 'slow-burn', known: false });
	});

	it('renames keeping the old slug (and its aliases) as aliases', () => {
		const result = renameTag(registry, 'roleplay', 'Role Play');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const renamed = result.registry.find((tag) => tag.slug === 'role-play');
		expect(renamed).toMatchObject({ label: 'Role play', category: 'interaction', aliases: ['rp', 'roleplay'] });
		expect(resolveTag(result.registry, 'roleplay').slug).toBe('role-play');
		expect(resolveTag(result.registry, 'rp').slug).toBe('role-play');
		// Renaming back clears the alias that became a real tag again.
		const back = renameTag(result.registry, 'role-play', 'roleplay');
		expect(back.ok && back.registry.find((tag) => tag.slug === 'roleplay')?.aliases).toEqual(['rp', 'role-play']);
	});

	it('merges into an existing tag', () => {
		const result = renameTag(registry, 'banter', 'roleplay');
		expect(result.ok && result.registry.map((tag) => tag.slug)).toEqual(['roleplay', 'identity']);
		expect(result.ok && result.registry[0].aliases).toEqual(['rp', 'banter']);
	});

	it('refuses unknown sources, empty targets and taken slugs', () => {
		expect(renameTag(registry, 'nope', 'x').ok).toBe(false);
		expect(renameTag(registry, 'banter', '!!!').ok).toBe(false);
		expect(addTagDefinition(registry, { slug: 'RP', label: '', aliases: [] })).toMatchObject({ ok: false });
		expect(addTagDefinition(registry, { slug: 'Slow Burn', label: '', aliases: [] })).toMatchObject({ ok: true });
	});

	it('lists unknown tags and stale aliases for adoption', () => {
		const entries = roleplayEntries();
		entries[2] = { ...entries[2], tags: ['rp', 'horror'] };
		const counts = countTags(entries);
		expect(counts.get('roleplay')).toBe(2);
		expect(unknownTags(registry, counts)).toEqual([
			{ slug: 'horror', count: 1 },
			{ slug: 'rp', count: 1, aliasOf: 'roleplay' },
			{ slug: 'slice-of-life', count: 1 },
			{ slug: 'tools', count: 1 }
		]);
		const adopted = adoptTags(registry, ['horror', 'rp', 'horror'], 'genre');
		expect(adopted.slice(3)).toEqual([{ slug: 'horror', label: 'Horror', category: 'genre', aliases: [] }]);
	});
});

describe('tag edits on entries', () => {
	const [aria] = roleplayEntries();

	it('adds only missing tags and reports no-ops', () => {
		expect(addTags(aria, ['banter'])).toEqual({ entry: aria, changed: false });
		const added = addTags(aria, ['banter', 'sci-fi', 'sci-fi']);
		expect(added.changed).toBe(true);
		expect(added.entry.tags).toEqual(['roleplay', 'banter', 'sci-fi']);
		expect(aria.tags).toEqual(['roleplay', 'banter']);
	});

	it('removes and replaces', () => {
		expect(removeTags(aria, ['banter']).entry.tags).toEqual(['roleplay']);
		expect(removeTags(aria, ['horror']).changed).toBe(false);
		expect(replaceTag(aria, 'roleplay', 'rp').entry.tags).toEqual(['rp', 'banter']);
		expect(replaceTag(aria, 'roleplay', 'banter').entry.tags).toEqual(['banter']);
		expect(replaceTag(aria, 'horror', 'x').changed).toBe(false);
	});
});
