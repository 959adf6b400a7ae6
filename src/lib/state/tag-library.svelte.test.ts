import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { listTags } from '$lib/db/collection-repo';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { TagLibraryState } = await import('./tag-library.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	// Two datasets: #storm on 3 + 1 entries, #fog on 2, #night-shift only in the second.
	await api.importLines('keeper.jsonl', [skeinLine(0, ['storm']), skeinLine(1, ['storm', 'fog']), skeinLine(2, ['storm', 'fog']), skeinLine(3)]);
	await api.importLines('relief.jsonl', [skeinLine(0, ['storm', 'night-shift'])]);
});

describe('TagLibraryState', () => {
	it('counts the tags the datasets carry, with progress while it reads', async () => {
		const library = new TagLibraryState();
		const seen: unknown[] = [];
		const scanning = library.scan();
		seen.push(library.scanning);
		await scanning;
		expect(seen[0]).toEqual({ done: 0, total: 1 });
		expect(library.scanning).toBeNull();
		const bySlug = new Map(library.census!.map((use) => [use.slug, use]));
		expect(bySlug.get('storm')?.count).toBe(4);
		expect(bySlug.get('storm')?.datasets.map((d) => d.name).sort()).toEqual(['keeper', 'relief']);
		expect(bySlug.get('fog')?.count).toBe(2);
		expect(bySlug.get('night-shift')?.count).toBe(1);
	});

	it('adds, categorises, renames (keeping the old slug as an alias), adopts and removes library tags', async () => {
		const library = new TagLibraryState();
		const db = getDatabase();
		expect(await library.add('Storm', 'Weather')).toEqual({ ok: true });
		expect(await library.add('Storm', '')).toMatchObject({ ok: false });
		expect(await library.setCategory('storm', 'Sea')).toEqual({ ok: true });
		expect((await listTags(db)).find((t) => t.slug === 'storm')?.category).toBe('Sea');

		expect(await library.rename('storm', 'gale', 'Gale')).toEqual({ ok: true });
		const gale = (await listTags(db)).find((t) => t.slug === 'gale');
		expect(gale).toMatchObject({ label: 'Gale', category: 'Sea' });
		expect(gale?.aliases).toContain('storm');

		expect(await library.adopt(['fog', 'night-shift'])).toEqual({ ok: true });
		expect((await listTags(db)).map((t) => t.slug).sort()).toEqual(['fog', 'gale', 'night-shift']);

		expect(await library.remove('night-shift')).toEqual({ ok: true });
		expect((await listTags(db)).map((t) => t.slug).sort()).toEqual(['fog', 'gale']);
	});

	it('rewrites an old slug in every dataset that carries it, one undoable step each', async () => {
		const library = new TagLibraryState();
		const outcome = await library.rewrite('storm', 'gale');
		expect(outcome.changed).toBe(4);
		expect(outcome.datasets).toHaveLength(2);
		expect(library.scanning).toBeNull();
		await library.scan();
		const slugs = library.census!.map((use) => use.slug);
		expect(slugs).toContain('gale');
		expect(slugs).not.toContain('storm');
	});
});
