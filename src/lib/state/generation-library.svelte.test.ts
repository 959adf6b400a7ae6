import { beforeEach, describe, expect, it, vi } from 'vitest';

/** The worker calls the generation pages' state classes make, recorded with their arguments. */
const worker = vi.hoisted(() => ({ calls: [] as unknown[][], fail: null as Error | null }));

vi.mock('$lib/workers/data-bridge', () => ({
	dataWorker: () =>
		new Proxy(
			{},
			{
				get: (_target, name: string) => async (...args: unknown[]) => {
					worker.calls.push([name, ...args]);
					if (worker.fail) throw worker.fail;
					if (name === 'importSheetFiles') return [{ fileNames: ['wren-card-v2.json'], outcome: { ok: true, sheetId: 'sheet-wren', name: 'Wren Halloway', chunkCount: 5, warnings: [] } }];
					if (name === 'importReply') return { ok: true, datasetId: 'ds-drafts', imported: 2, skipped: 0 };
					return undefined;
				}
			}
		)
}));

const { SheetLibraryState, sheetEditing } = await import('./sheets.svelte');
const { IdentityLibraryState } = await import('./identities.svelte');
const { PoolLibraryState } = await import('./pools.svelte');
const { RegistryState } = await import('./prompt-registry.svelte');
const { GenerateState } = await import('./prompt-compiler.svelte');

beforeEach(() => {
	worker.calls = [];
	worker.fail = null;
});

describe('library state classes', () => {
	it('the sheets library sends each dropped file by name with its bytes, and deletes by id', async () => {
		const library = new SheetLibraryState();
		const card = new File(['{"spec":"chara_card_v2"}'], 'wren-card-v2.json', { type: 'application/json' });
		const outcomes = await library.importFiles([card]);
		expect(outcomes[0].outcome).toMatchObject({ ok: true, chunkCount: 5 });
		expect(worker.calls).toEqual([['importSheetFiles', [{ fileName: 'wren-card-v2.json', bytes: card }]]]);
		await library.remove('sheet-wren');
		expect(worker.calls.at(-1)).toEqual(['deleteSheet', 'sheet-wren']);
	});

	it('the sheet editor reads, saves and exports through the worker', async () => {
		await sheetEditing.load('sheet-wren');
		await sheetEditing.exportSeed003('sheet-wren');
		expect(worker.calls.map(([name, id]) => [name, id])).toEqual([
			['getSheet', 'sheet-wren'],
			['exportSheetSeed003', 'sheet-wren']
		]);
	});

	it('identities and pools go to their worker calls', async () => {
		const identities = new IdentityLibraryState();
		await identities.create('Tidewatch');
		await identities.open('id-tidewatch');
		await identities.remove('id-tidewatch');
		const pools = new PoolLibraryState();
		await pools.import({ text: 'What keeps you awake?\nWho taught you the lamp?', name: 'Night questions' });
		await pools.preview('pool-night', 50, 50);
		await pools.remove('pool-night');
		expect(worker.calls).toEqual([
			['newIdentity', 'Tidewatch'],
			['getIdentity', 'id-tidewatch'],
			['deleteIdentity', 'id-tidewatch'],
			['importPool', { text: 'What keeps you awake?\nWho taught you the lamp?', name: 'Night questions' }],
			['poolPreview', 'pool-night', 50, 50],
			['deletePool', 'pool-night']
		]);
	});
});

describe('prompt registry and compiler state', () => {
	it('a registry that cannot be read says so', async () => {
		worker.fail = new Error('IndexedDB is blocked');
		const registry = new RegistryState();
		await registry.load();
		expect(registry.error).toBe('Could not open the prompt registry: IndexedDB is blocked');
		expect(registry.templates).toEqual([]);
	});

	it('the registry editor calls name the chunk or template they change', async () => {
		const registry = new RegistryState();
		await registry.resetChunk('persona_core');
		await registry.deleteTemplate('my-template');
		await registry.importJson('{"chunks":[],"templates":[]}');
		expect(worker.calls).toEqual([
			['resetPromptChunk', 'persona_core'],
			['deletePromptTemplate', 'my-template'],
			['importPromptRegistry', '{"chunks":[],"templates":[]}']
		]);
	});

	it('a pasted reply is imported with the provenance of the prompt it answers', async () => {
		const generate = new GenerateState();
		generate.templateId = 'character-qa';
		generate.compiledAt = '2026-12-04T15:00:00.000Z';
		const outcome = await generate.importReply('{"messages":[]}', { settingsHash: 'set-1a2b', promptHash: 'prm-3c4d' }, { kind: 'new', name: 'Character Q&A · drafts' });
		expect(outcome).toMatchObject({ ok: true, imported: 2 });
		expect(worker.calls).toEqual([
			[
				'importReply',
				'{"messages":[]}',
				{ templateId: 'character-qa', settingsHash: 'set-1a2b', promptHash: 'prm-3c4d', compiledAt: '2026-12-04T15:00:00.000Z' },
				{ kind: 'new', name: 'Character Q&A · drafts' }
			]
		]);
	});

	it('a reply whose prompt was never copied is dated now', async () => {
		const generate = new GenerateState();
		generate.templateId = 'character-qa';
		const before = Date.now();
		await generate.importReply('text', { settingsHash: 's', promptHash: 'p' }, { kind: 'existing', datasetId: 'ds-1' });
		const provenance = worker.calls[0][2] as { compiledAt: string };
		expect(Date.parse(provenance.compiledAt)).toBeGreaterThanOrEqual(before - 1);
	});
});
