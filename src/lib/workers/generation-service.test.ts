import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { composeDataServices } from './data-services';
import { GenerationService } from './generation-service';
import { GOLDEN_SETTINGS } from '$lib/core/compiler/golden-settings';
import { BUILTIN_CHUNKS } from '$lib/core/compiler/library';

const opened: SkeinDatabase[] = [];
function fresh() {
	const db = new SkeinDatabase(`generation-test-${Math.random()}`);
	opened.push(db);
	const data = composeDataServices(db).data;
	return { db, data, service: new GenerationService(db, data) };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const REPLY = [
	'Here you go:',
	'```jsonl',
	'{"messages":[{"role":"user","content":"Is the lamp lit?"},{"role":"assistant","content":"Lit and trimmed."}]}',
	'{"prompt":"Any ships tonight?","response":"One. Late, as always."}',
	'{"note":"not an entry"}',
	'```'
].join('\n');

const provenance = { templateId: 'conversation_scenarios', settingsHash: 'abc', promptHash: 'def', compiledAt: '2026-01-02T03:04:05.000Z' };

describe('GenerationService', () => {
	it('compiles a built-in template from the seeded registry, timing the compile', async () => {
		const { service } = fresh();
		const result = await service.compile('conversation_scenarios', GOLDEN_SETTINGS.conversation_scenarios[0]);
		expect(result.ok).toBe(true);
		expect(result.durationMs).toBeGreaterThanOrEqual(0);
		expect(result.durationMs).toBeLessThan(50);
	});

	it('uses an edited chunk in the next compile', async () => {
		const { service } = fresh();
		await service.compile('conversation_scenarios', {});
		const warm = BUILTIN_CHUNKS.find((c) => c.id === 'tone_warm');
		expect(await service.saveChunk({ ...warm, text: 'Tone: cosy as a lamp room.' })).toEqual({ ok: true });
		const result = await service.compile('conversation_scenarios', GOLDEN_SETTINGS.conversation_scenarios[0]);
		expect(result.ok && result.prompt.includes('Tone: cosy as a lamp room.')).toBe(true);
	});

	it('previews a reply: what was understood and what was not, on the reply’s lines', () => {
		const { service } = fresh();
		const preview = service.previewReply(REPLY);
		expect(preview.entries).toHaveLength(2);
		expect(preview.formats).toEqual({ openai: 1, 'prompt-response': 1 });
		expect(preview.entries[1].meta.source?.line).toBe(4);
		expect(preview.problems).toHaveLength(1);
		expect(preview.problems[0].line).toBe(5);
		expect(preview.ignored.map((p) => p.excerpt)).toEqual(['Here you go:']);
	});

	it('imports a reply into an existing dataset as drafts with provenance and fresh ids, undoably', async () => {
		const { service, data } = fresh();
		const created = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'harbour.jsonl', text: '{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}' }]);
		const datasetId = created.datasets[0].datasetId;
		const outcome = await service.importReply(REPLY, provenance, { kind: 'existing', datasetId }, new Date('2026-02-03T00:00:00Z'));
		expect(outcome).toEqual({ ok: true, datasetId, imported: 2, skipped: 1 });
		const page = await data.getPage(datasetId, 0, 10);
		expect(page.entries.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
		expect(page.entries[1].meta).toMatchObject({
			review: 'draft',
			provenance: {
				kind: 'external',
				template: 'conversation_scenarios',
				templateName: 'Conversation scenarios',
				settingsHash: 'abc',
				promptHash: 'def',
				compiledAt: '2026-01-02T03:04:05.000Z',
				importedAt: '2026-02-03T00:00:00.000Z'
			}
		});
		expect((await data.historyState(datasetId)).canUndo).toBe(true);
		await data.undo(datasetId);
		expect((await data.getPage(datasetId, 0, 10)).entries).toHaveLength(1);
	});

	it('imports a reply as a new dataset, keeping drafts and provenance', async () => {
		const { service, data } = fresh();
		const outcome = await service.importReply(REPLY, provenance, { kind: 'new', name: 'Lamp drafts' });
		if (!outcome.ok) throw new Error(outcome.error);
		const page = await data.getPage(outcome.datasetId, 0, 10);
		expect(page.entries).toHaveLength(2);
		expect(page.entries[0].meta.review).toBe('draft');
		expect(page.entries[0].meta.provenance).toMatchObject({ kind: 'external', template: 'conversation_scenarios' });
	});

	it('refuses a reply with no entries', async () => {
		const { service } = fresh();
		expect(await service.importReply('Sorry, I cannot do that.', provenance, { kind: 'new', name: 'x' })).toEqual({
			ok: false,
			error: 'The reply holds no entries that could be imported.'
		});
	});

	it('exports and imports the registry as JSON text', async () => {
		const { service } = fresh();
		const text = await service.exportRegistry();
		expect(JSON.parse(text).kind).toBe('skein-prompt-registry');
		expect(await service.importRegistry('not json')).toMatchObject({ ok: false });
		expect(await service.importRegistry(text)).toMatchObject({ ok: true });
	});
});
