import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const validation = await import('./validation.svelte');

let datasetId: string;
beforeAll(async () => {
	const api = inProcessDataWorker();
	worker.api = api;
	// Two answers end with stray spaces and a blank line: the surrounding-whitespace rule finds them.
	datasetId = await api.importLines('keeper.jsonl', [
		skeinLine(0, [], { assistant: 'The lamp is lit.   ' }),
		skeinLine(1),
		skeinLine(2, [], { assistant: 'Fog on the point.\n\n' })
	]);
});

describe('validation state', () => {
	it('validates a dataset with progress, remembers the report and the profile, and repairs the findings as one step', async () => {
		expect(await validation.lastValidation(datasetId)).toBeNull();
		const progress: [number, number][] = [];
		const report = await validation.validate(datasetId, 'openai-chat', (done, total) => progress.push([done, total]));
		expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
		const whitespace = report.rules.find((row) => row.rule === 'surrounding-whitespace');
		expect(whitespace?.entries).toBe(2);
		expect(whitespace?.repair?.id).toBe('trim-whitespace');
		expect(await validation.profileOf(datasetId)).toBe('openai-chat');
		expect((await validation.lastValidation(datasetId))?.rules).toEqual(report.rules);

		const preview = await validation.previewRepair(datasetId, 'trim-whitespace', { rule: 'surrounding-whitespace' });
		expect(preview.affected).toBe(2);
		expect(preview.samples.map((sample) => sample.position)).toEqual([0, 2]);

		const outcome = await validation.applyRepair(datasetId, 'trim-whitespace', { rule: 'surrounding-whitespace' }, () => {});
		expect(outcome.changed).toBe(2);
		expect(outcome.history.canUndo).toBe(true);
		const again = await validation.validate(datasetId, 'openai-chat', () => {});
		expect(again.rules.find((row) => row.rule === 'surrounding-whitespace')?.entries ?? 0).toBe(0);
	});

	it('keeps custom profiles and the repair-on-import switch in the settings table', async () => {
		expect(await validation.customProfiles()).toEqual([]);
		const custom = { id: 'custom-mara', base: 'roleplay' as const, overrides: { label: 'Mara, strict', settings: { identityName: 'Mara' } } };
		await validation.saveProfile({ custom, tokenizer: 'o200k_base' });
		const [stored] = await validation.customProfiles();
		expect(stored.custom.id).toBe('custom-mara');
		expect(stored.custom.overrides.label).toBe('Mara, strict');
		expect(stored.tokenizer).toBe('o200k_base');
		await validation.deleteProfile('custom-mara');
		expect(await validation.customProfiles()).toEqual([]);

		expect(await validation.repairOnImport()).toBe(false);
		await validation.setRepairOnImport(true);
		expect(await validation.repairOnImport()).toBe(true);
	});
});
