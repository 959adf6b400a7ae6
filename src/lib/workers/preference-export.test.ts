/**
 * Preference data through the data worker (issue 16): the quick OpenAI download and the planned
 * export treat pairs and KTO labels as the pre-export check says, and the check counts them.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { composeDataServices } from './data-services';
import { parquetReadObjects } from 'hyparquet';
import { bytesBuffer } from '$lib/core/parquet/read';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

const LINES = [
	{ prompt: [{ role: 'user', content: 'Lamp lit?' }], chosen: [{ role: 'assistant', content: 'It is.' }], rejected: [{ role: 'assistant', content: 'Lamps are not real.' }] },
	{ prompt: [{ role: 'user', content: 'Boat day?' }], completion: [{ role: 'assistant', content: 'Tuesday.' }], label: true },
	{ prompt: [{ role: 'user', content: 'Boat day?' }], completion: [{ role: 'assistant', content: 'I cannot know boats.' }], label: false }
].map((line) => JSON.stringify(line));

async function imported() {
	const db = new SkeinDatabase(`skein-preference-${Date.now()}-${Math.random()}`);
	opened.push(db);
	const service = composeDataServices(db).data;
	const result = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'Mixed preference.jsonl', text: LINES.join('\n') }]);
	return { service, datasetId: result.datasets[0].datasetId };
}

describe('preference data in the data worker', () => {
	it('the quick OpenAI download writes prompt + chosen, leaves the unwanted answer out, and says so', async () => {
		const { service, datasetId } = await imported();
		const openai = await service.exportDataset(datasetId, 'openai');
		const text = await openai.blob.text();
		expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
			{ messages: [{ role: 'user', content: 'Lamp lit?' }, { role: 'assistant', content: 'It is.' }] },
			{ messages: [{ role: 'user', content: 'Boat day?' }, { role: 'assistant', content: 'Tuesday.' }] }
		]);
		expect(openai.entries).toBe(2);
		expect(openai.notice).toContain('1 preference pair: each written as its prompt + chosen answer');
		expect(openai.notice).toContain('1 answer labelled unwanted (KTO false): left out of this file.');
		// The full-fidelity download keeps everything.
		const skein = await service.exportDataset(datasetId, 'skein');
		expect(skein.entries).toBe(3);
		expect(await skein.blob.text()).toContain('Lamps are not real.');
	});

	it('a Parquet export writes its messages column as an SFT chat: prompt + chosen, no unwanted answer', async () => {
		const { service, datasetId } = await imported();
		const result = await service.exportPlanned(datasetId, { format: 'openai', container: 'parquet' });
		const rows = await parquetReadObjects({ file: bytesBuffer(new Uint8Array(await (result.files[0].blob as Blob).arrayBuffer())) });
		expect(rows.map((row) => row.messages)).toEqual([
			[{ role: 'user', content: 'Lamp lit?' }, { role: 'assistant', content: 'It is.' }],
			[{ role: 'user', content: 'Boat day?' }, { role: 'assistant', content: 'Tuesday.' }]
		]);
		expect(result.preference).toMatchObject({ pairs: 1, unwanted: 1 });
		expect(result.report.files[0]).toMatchObject({ written: 2, skippedByCode: { 'unwanted-answer': 1 } });
	});

	it('the planned export counts the preference data in scope for the check', async () => {
		const { service, datasetId } = await imported();
		const dry = await service.exportPlanned(datasetId, { format: 'sharegpt', dryRun: true, checkProfile: 'sharegpt' });
		expect(dry.preference).toEqual({ pairs: 1, identicalPairs: 0, wanted: 1, unwanted: 1, plain: 0 });
		expect(dry.report.files[0]).toMatchObject({ written: 2, skippedByCode: { 'unwanted-answer': 1 } });
		// The check validated what is written: a pair as prompt + chosen ends on the assistant.
		expect(dry.check?.rules.map((r) => r.rule)).not.toContain('ends-on-user');
	});
});
