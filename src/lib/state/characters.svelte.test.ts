import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { listCharacters } from '$lib/db/collection-repo';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { characterLibrary } = await import('./characters.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
let datasetId: string;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	// A roleplay log where the human speaker is labelled "Tom" instead of "user".
	datasetId = await api.importLines('roleplay.jsonl', [0, 1, 2].map((i) => skeinLine(i, [], { speaker: 'Tom', user: `Evening, Mara. Storm ${i} coming?` })));
});

describe('CharacterLibraryState', () => {
	it('saves a character with trimmed labels, refuses a label that already means someone else, and deletes', async () => {
		const saved = await characterLibrary.save({ id: null, name: ' Mara ', description: 'Keeper of the light', aliases: 'MARA, Keeper, Lamp,  ' });
		expect(saved).toEqual({ ok: true, name: 'Mara' });
		const [mara] = await listCharacters(getDatabase());
		// The name itself is not kept as an alias.
		expect(mara.aliases).toEqual(['Keeper', 'Lamp']);

		const clash = await characterLibrary.save({ id: null, name: 'Old keeper', description: '', aliases: 'keeper' });
		expect(clash).toEqual({ ok: false, error: '“keeper” already means Mara.' });

		const renamed = await characterLibrary.save({ id: mara.id, name: 'Mara Vell', description: '', aliases: 'Keeper' });
		expect(renamed).toEqual({ ok: true, name: 'Mara Vell' });
		expect(await listCharacters(getDatabase())).toHaveLength(1);

		await characterLibrary.remove(mara.id);
		expect(await listCharacters(getDatabase())).toEqual([]);
	});

	it('reads a dataset’s custom speakers with stored names, maps them as one undoable step and undoes it', async () => {
		await characterLibrary.saveNames(datasetId, { char: ' Mara ', user: 'Tom' });
		const { suggestions, names } = await characterLibrary.speakers(datasetId);
		expect(names).toEqual({ char: 'Mara', user: 'Tom' });
		const tom = suggestions.find((s) => s.speaker === 'Tom');
		expect(tom).toMatchObject({ kind: 'role', suggestedRole: 'user' });

		const progress: [number, number][] = [];
		const outcome = await characterLibrary.applyMapping(datasetId, [{ speaker: 'Tom', role: 'user' }], (done, total) => progress.push([done, total]));
		expect(outcome.changed).toBe(3);
		expect(progress.at(-1)).toEqual([1, 1]);
		const page = await api.getPage(datasetId, 0, 3);
		expect(page.entries.every((entry) => entry.messages[0].role === 'user')).toBe(true);

		expect((await characterLibrary.undo(datasetId)).label).toBe(outcome.label);
		expect((await api.getPage(datasetId, 0, 1)).entries[0].messages[0].role).toBe('Tom');
		expect((await characterLibrary.undo(datasetId)).label).toBeNull();
	});
});
