import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { setSetting } from '$lib/db/datasets-repo';
import { REPAIR_ON_IMPORT_SETTING } from '$lib/db/settings-keys';
import { DataService, WITHOUT_VALIDATION } from './data-service';
import { ValidationRuns, ValidationService, validationForData } from './validation-service';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

const line = (user: string, assistant: string, extra: Record<string, unknown> = {}) =>
	JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], ...extra });

const MESSY = [
	line('Who keeps the light?', 'I do. Mara Quill.'),
	line('  Is the lamp lit?  ', 'Lit and trimmed.   '), // whitespace
	line('Are you ChatGPT?', 'As an AI language model, I cannot say.'), // refusal
	line('Who keeps the light?', 'I do. Mara Quill.'), // exact duplicate of the first
	JSON.stringify({ messages: [{ role: 'user', content: 'Hello?' }] }) // no assistant
].join('\n');

function freshDatabase() {
	const db = new SkeinDatabase(`skein-validation-${Date.now()}-${Math.random()}`);
	opened.push(db);
	return db;
}

/** Composed as in data.worker.ts. */
function compose(db: SkeinDatabase) {
	const runs = new ValidationRuns();
	const data = new DataService(db, validationForData(db, runs));
	const validation = new ValidationService(db, data, runs);
	return { data, validation };
}

async function setup(text = MESSY) {
	const db = freshDatabase();
	const { data, validation } = compose(db);
	const result = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'messy.jsonl', text }]);
	return { db, data, validation, datasetId: result.datasets[0].datasetId, result };
}

describe('ValidationService', () => {
	it('validates a dataset and reports findings by rule, with titles and repairs', async () => {
		const { validation, datasetId } = await setup();
		const report = await validation.validate(datasetId, 'openai-chat');
		const byRule = new Map(report.rules.map((r) => [r.rule, r]));
		expect(report.summary.entries).toBe(5);
		expect(byRule.get('missing-assistant')?.entries).toBe(1);
		expect(byRule.get('surrounding-whitespace')?.repair?.id).toBe('trim-whitespace');
		expect(byRule.get('refusal-phrase')?.entries).toBe(1);
		expect(byRule.get('exact-duplicate')?.entries).toBeGreaterThanOrEqual(1);
		expect(validation.positionsWithFinding(datasetId, 'missing-assistant')).toEqual([4]);
		const findings = await validation.entryFindings(datasetId, 2);
		expect(findings.map((f) => f.rule)).toContain('refusal-phrase');
		expect(findings[0].title).toBeTruthy();
	});

	it('previews a repair as a diff and applies it to all entries with the finding, undoably', async () => {
		const { validation, data, datasetId } = await setup();
		await validation.validate(datasetId, 'openai-chat');
		const preview = await validation.previewRepair(datasetId, 'trim-whitespace', { rule: 'surrounding-whitespace' });
		expect(preview.affected).toBe(1);
		expect(preview.samples[0].position).toBe(1);
		expect(preview.samples[0].diff.counts.changed).toBe(2);
		const outcome = await validation.applyRepair(datasetId, 'trim-whitespace', { rule: 'surrounding-whitespace' });
		expect(outcome.changed).toBe(1);
		const after = await validation.validate(datasetId, 'openai-chat');
		expect(after.rules.find((r) => r.rule === 'surrounding-whitespace')).toBeUndefined();
		await data.undo(datasetId);
		const undone = await validation.validate(datasetId, 'openai-chat');
		expect(undone.rules.find((r) => r.rule === 'surrounding-whitespace')?.entries).toBe(1);
	});

	it('removes exact duplicates, keeping the first', async () => {
		const { validation, data, datasetId } = await setup();
		const preview = await validation.previewRepair(datasetId, 'remove-exact-duplicates');
		expect(preview.affected).toBe(1);
		const outcome = await validation.applyRepair(datasetId, 'remove-exact-duplicates');
		expect(outcome.removed).toBe(1);
		const page = await data.getPage(datasetId, 0, 10);
		expect(page.entries).toHaveLength(4);
	});

	it('filters the browser by finding code from the last run', async () => {
		const { validation, data, datasetId } = await setup();
		await validation.validate(datasetId, 'openai-chat');
		const result = await data.filter(datasetId, { findings: { codes: ['missing-assistant'] } });
		expect(result).toMatchObject({ ok: true, positions: [4] });
	});

	it('repairs on import only when the user turned it on, and says so in the report', async () => {
		const { db, data } = await setup();
		const off = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'a.jsonl', text: line(' hi ', ' hello ') }]);
		expect((await data.getPage(off.datasets[0].datasetId, 0, 1)).entries[0].messages[0].content).toBe(' hi ');
		await setSetting(db, REPAIR_ON_IMPORT_SETTING, true);
		const on = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'b.jsonl', text: line(' hi ', ' hello ') }]);
		expect((await data.getPage(on.datasets[0].datasetId, 0, 1)).entries[0].messages[0].content).toBe('hi');
		expect(on.report.files[0].notes.map((n) => n.text).join('\n')).toMatch(/Repaired on import/);
	});
});

describe('the data service composed with validation', () => {
	it('checks an export and filters by finding, however far the composition has got', async () => {
		const db = freshDatabase();
		// The data service alone first: its validation needs were given when it was built.
		const runs = new ValidationRuns();
		const data = new DataService(db, validationForData(db, runs));
		const imported = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'messy.jsonl', text: MESSY }]);
		const datasetId = imported.datasets[0].datasetId;

		const exported = await data.exportPlanned(datasetId, { format: 'openai', dryRun: true, checkProfile: 'openai-chat' });
		const byRule = new Map(exported.check?.rules.map((r) => [r.rule, r]));
		expect(exported.check).toMatchObject({ profileId: 'openai-chat' });
		expect(exported.check!.entriesWithErrors).toBeGreaterThanOrEqual(1);
		expect(byRule.get('missing-assistant')).toMatchObject({ entries: 1, severity: 'error' });
		expect(byRule.get('refusal-phrase')?.entries).toBe(1);
		expect(byRule.get('surrounding-whitespace')?.title).toBeTruthy();
		// Not validated yet: the filter says so rather than matching nothing.
		expect(await data.filter(datasetId, { findings: { codes: ['missing-assistant'] } })).toMatchObject({ ok: false, error: expect.stringMatching(/not available/) });

		const validation = new ValidationService(db, data, runs);
		await validation.validate(datasetId, 'openai-chat');
		expect(await data.filter(datasetId, { findings: { codes: ['missing-assistant'] } })).toMatchObject({ ok: true, positions: [4] });
		expect(await data.filter(datasetId, { findings: { codes: ['missing-assistant'], without: true } })).toMatchObject({ ok: true, positions: [0, 1, 2, 3] });
		// The same check with the service built: unchanged.
		expect((await data.exportPlanned(datasetId, { format: 'openai', dryRun: true, checkProfile: 'openai-chat' })).check).toEqual(exported.check);
	});

	it('without validation, refuses an export check and repair on import instead of skipping them', async () => {
		const db = freshDatabase();
		const data = new DataService(db, WITHOUT_VALIDATION);
		const imported = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'messy.jsonl', text: MESSY }]);
		const datasetId = imported.datasets[0].datasetId;
		expect((await data.exportPlanned(datasetId, { format: 'openai', dryRun: true })).selected).toBe(5);
		await expect(data.exportPlanned(datasetId, { format: 'openai', dryRun: true, checkProfile: 'openai-chat' })).rejects.toThrow(/without validation/);
		expect(await data.filter(datasetId, { findings: { codes: ['missing-assistant'] } })).toMatchObject({ ok: false });
		await setSetting(db, REPAIR_ON_IMPORT_SETTING, true);
		const repaired = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'a.jsonl', text: line(' hi ', ' hello ') }]);
		expect(repaired).toMatchObject({ status: 'failed', error: expect.stringMatching(/without validation/) });
	});
});
