/**
 * Validation of a dataset with a training target: the template rules run with the target's
 * template and tokenizer (loaded by the worker), their repairs preview, apply (a split adds
 * entries with fresh ids) and undo.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { setTemplateTarget } from '$lib/db/datasets-repo';
import type { TemplateTarget } from '$lib/core/templates/target';
import { DataService } from './data-service';
import { ValidationRuns, ValidationService, validationForData } from './validation-service';

const fixtures = JSON.parse(readFileSync('tests/fixtures/templates/findings-conversations.json', 'utf8')) as Record<string, { messages: unknown[] }>;
const NAMES = ['gemma-system', 'qwen3-think', 'roleplay-long', 'not-alternating'];
const JSONL = NAMES.map((name) => JSON.stringify({ messages: fixtures[name].messages })).join('\n');
const gemma = (maxSeqLen: number): TemplateTarget => ({ template: { kind: 'family', family: 'gemma3' }, maxSeqLen, lossMode: 'assistant-only' });

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

async function setup() {
	const db = new SkeinDatabase(`skein-template-validation-${Date.now()}-${Math.random()}`);
	opened.push(db);
	const runs = new ValidationRuns();
	const data = new DataService(db, validationForData(db, runs));
	const validation = new ValidationService(db, data, runs);
	const result = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'support-and-rp.jsonl', text: JSONL }]);
	return { db, data, validation, datasetId: result.datasets[0].datasetId };
}

const templateRows = (report: Awaited<ReturnType<ValidationService['validate']>>) => Object.fromEntries(report.rules.filter((r) => r.rule.startsWith('template-')).map((r) => [r.rule, r.entries]));

describe('validation with a training target', () => {
	it('runs the template rules only when the dataset has a target, with the target named in the report', async () => {
		const { db, validation, datasetId } = await setup();
		const plain = await validation.validate(datasetId, 'chatml-strict');
		expect(templateRows(plain)).toEqual({});
		expect(plain.target).toBeUndefined();

		await setTemplateTarget(db, datasetId, gemma(512));
		const report = await validation.validate(datasetId, 'chatml-strict');
		expect(report.target).toBe('Gemma 3, max_seq_len 512');
		expect(templateRows(report)).toEqual({ 'template-refused': 1, 'template-system-merged': 3, 'template-over-max-seq-len': 1 });
		const over = report.rules.find((r) => r.rule === 'template-over-max-seq-len');
		expect(over?.severity).toBe('warning');
		expect(over?.repair?.id).toBe('split-to-template-budget');
		expect(over?.alternatives?.map((a) => a.id)).toEqual(['truncate-to-template-budget']);
		expect(report.rules.find((r) => r.rule === 'template-refused')?.severity).toBe('error');
		expect(validation.positionsWithFinding(datasetId, 'template-over-max-seq-len')).toEqual([2]);

		// The entry's own findings show the difference the template makes.
		const findings = await validation.entryFindings(datasetId, 0);
		const merged = findings.find((f) => f.rule === 'template-system-merged');
		expect(merged?.difference?.rendered).toContain('<start_of_turn>user\nYou are a support agent');
		expect(merged?.repairTitle).toBe('Merge the system prompt into the first user turn');

		// Clearing the target silences them again (the entry's findings follow the current target).
		await setTemplateTarget(db, datasetId, null);
		expect((await validation.entryFindings(datasetId, 0)).some((f) => f.rule.startsWith('template-'))).toBe(false);
	});

	it('splits an over-length conversation into entries with fresh ids, and undoes it', async () => {
		const { db, data, validation, datasetId } = await setup();
		await setTemplateTarget(db, datasetId, gemma(512));
		await validation.validate(datasetId, 'roleplay');
		const preview = await validation.previewRepair(datasetId, 'split-to-template-budget', { rule: 'template-over-max-seq-len' });
		expect(preview.affected).toBe(1);
		expect(preview.created).toBeGreaterThanOrEqual(1);
		expect(preview.samples[0].newEntries).toHaveLength(preview.created);
		expect(preview.samples[0].newEntries?.[0].counts.added).toBeGreaterThan(2);

		const outcome = await validation.applyRepair(datasetId, 'split-to-template-budget', { rule: 'template-over-max-seq-len' });
		expect(outcome.inserted + outcome.changed).toBeGreaterThan(1);
		const page = await data.getPage(datasetId, 0, 20);
		expect(page.entries).toHaveLength(4 + preview.created);
		const ids = page.entries.map((e) => e.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.every((id) => /^e\d+$/.test(id))).toBe(true);
		const after = await validation.validate(datasetId, 'roleplay');
		expect(templateRows(after)['template-over-max-seq-len']).toBeUndefined();

		await data.undo(datasetId);
		expect((await data.getPage(datasetId, 0, 20)).entries).toHaveLength(4);
		expect(templateRows(await validation.validate(datasetId, 'roleplay'))['template-over-max-seq-len']).toBe(1);
	});

	it('merges the system prompts for Gemma in one step, and filters by template finding', async () => {
		const { db, data, validation, datasetId } = await setup();
		await setTemplateTarget(db, datasetId, gemma(4096));
		await validation.validate(datasetId, 'openai-chat');
		expect(await data.filter(datasetId, { findings: { codes: ['template-system-merged'] } })).toMatchObject({ ok: true, positions: [0, 1, 2] });
		const outcome = await validation.applyRepair(datasetId, 'merge-system-into-first-user', { rule: 'template-system-merged' });
		expect(outcome.changed).toBe(3);
		expect(templateRows(await validation.validate(datasetId, 'openai-chat'))).toEqual({ 'template-refused': 1 });
	});

	it("checks an export against the dataset's target: what the file will hold, with the template's findings", async () => {
		const { db, data, datasetId } = await setup();
		const check = async (transforms = {}) => {
			const result = await data.exportPlanned(datasetId, { format: 'openai', checkProfile: 'openai-chat', dryRun: true, transforms });
			return Object.fromEntries((result.check?.rules ?? []).filter((r) => r.rule.startsWith('template-')).map((r) => [r.rule, r.entries]));
		};
		expect(await check()).toEqual({});
		await setTemplateTarget(db, datasetId, gemma(512));
		expect(await check()).toEqual({ 'template-refused': 1, 'template-system-merged': 3, 'template-over-max-seq-len': 1 });
		// Without the system prompt in the file, Gemma has nothing to merge.
		expect(await check({ systemPrompt: 'omit' })).toEqual({ 'template-refused': 1, 'template-over-max-seq-len': 1 });
	});
});
