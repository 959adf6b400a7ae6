import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { updateTagRegistry } from '$lib/db/collection-repo';
import { adoptTags, renameTag } from '$lib/core/curation/tags';
import { hashMessages } from '$lib/core/hash';
import { composeDataServices } from './data-services';

let counter = 0;
const opened: SkeinDatabase[] = [];
function fresh() {
	const db = new SkeinDatabase(`skein-tag-aliases-${++counter}-${Date.now()}`);
	opened.push(db);
	return { db, service: composeDataServices(db).data };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

function skeinLine(id: string, tags: string[]): string {
	const messages = [
		{ role: 'user', content: `Is the lamp lit, ${id}?` },
		{ role: 'assistant', content: 'Lit and trimmed.' }
	];
	return JSON.stringify({ messages, skein: { v: 1, id, tags, meta: { review: 'draft' }, hash: hashMessages(messages) } });
}

async function importLines(service: ReturnType<typeof fresh>['service'], name: string, lines: string[]) {
	const result = await service.importSources(service.newJobId(), [{ kind: 'text', name, text: lines.join('\n') + '\n' }]);
	if (result.status !== 'done' || !result.datasets[0]) throw new Error(`import failed: ${result.error}`);
	return result.datasets[0];
}

describe('the tag library at import and in filters (data worker)', () => {
	it("maps a renamed tag's old name on import, and a filter on either name finds entries with either", async () => {
		const { db, service } = fresh();
		const before = await importLines(service, 'before-rename.jsonl', [skeinLine('a', ['slowburn']), skeinLine('b', ['weather'])]);
		// Adopt "slowburn", then rename it: the entries of the first dataset keep the old name.
		await updateTagRegistry(db, (registry) => ({ ok: true, registry: adoptTags(registry, ['slowburn']) }));
		const renamed = await updateTagRegistry(db, (registry) => renameTag(registry, 'slowburn', 'slow-burn'));
		expect(renamed.ok).toBe(true);

		const after = await importLines(service, 'older-export.jsonl', [skeinLine('c', ['slowburn', 'Fog Bank']), skeinLine('d', [])]);
		const page = await service.getPage(after.datasetId, 0, 10);
		expect(page.entries.map((e) => e.tags)).toEqual([['slow-burn', 'fog-bank'], []]);
		expect(after.report.notes.map((n) => n.text)).toEqual(
			expect.arrayContaining(['tag #slowburn is an old name of #slow-burn (renamed in the tag library): stored as #slow-burn', 'tag "Fog Bank" stored as #fog-bank (tags are stored as slugs)'])
		);

		for (const tag of ['slowburn', 'slow-burn']) {
			const found = await service.filter(before.datasetId, { tagsAny: [tag] });
			expect(found).toMatchObject({ ok: true, positions: [0] });
			const none = await service.filter(before.datasetId, { tagsNone: [tag] });
			expect(none).toMatchObject({ ok: true, positions: [1] });
		}
	});
});
