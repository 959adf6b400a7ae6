import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { importFixture } from '$lib/core/test-utils';
import { swapped, type PairDraft } from '$lib/core/preference/drafts';
import { preferenceJsonl } from '$lib/core/export/preference-jsonl';
import { SkeinDatabase } from '$lib/db/database';
import { addEntriesAsOneStep } from './add-entries';
import { composeDataServices } from './data-services';
import { PreferenceService } from './preference-service';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

async function withChat() {
	const db = new SkeinDatabase(`prefs-${Math.random()}`);
	opened.push(db);
	const data = composeDataServices(db).data;
	const { entries } = importFixture('preference/sillytavern-swipes.jsonl');
	const added = await addEntriesAsOneStep(db, data, { kind: 'new', name: 'Kestrel chat' }, entries.length, (ids) => entries.map((entry, i) => ({ ...entry, id: ids[i] })), 'Import');
	if (!added.ok) throw new Error(added.error);
	return { db, data, datasetId: added.datasetId, service: new PreferenceService(db, data) };
}

describe('building preference data in the data worker', () => {
	it('proposes swipe pairs from a dataset, then adds the confirmed ones (one swapped, one dropped) as pair entries in one undoable step', async () => {
		const { data, datasetId, service } = await withChat();
		const built = await service.fromSwipes(datasetId);
		if (!built.ok) throw new Error(built.error);
		expect(built.label).toBe('Kestrel chat');
		expect(built.drafts).toHaveLength(3);
		const confirmed = [built.drafts[0], swapped(built.drafts[2] as PairDraft)];
		const created = await service.create(confirmed, { kind: 'new', name: 'Kestrel pairs' }, Date.UTC(2026, 11, 5));
		if (!created.ok) throw new Error(created.error);
		expect(created.created).toBe(2);
		const page = await data.getPage(created.datasetId, 0, 10);
		expect(page.entries.map((entry) => [entry.preference?.kind, entry.preference?.origin, entry.meta.review])).toEqual([
			['pair', 'swipes', 'accepted'],
			['pair', 'swipes', 'accepted']
		]);
		expect(page.entries[1].meta.provenance).toMatchObject({ preference: { origin: 'swipes', swapped: true, builtAt: '2026-12-05T00:00:00.000Z' } });
		expect(preferenceJsonl(page.entries, 'dpo').trim().split('\n').map((line) => JSON.parse(line).chosen[0].content)).toEqual([
			"North, to the ice harbour of Skarn. We'll be there by dawn if the wind holds.",
			'No idea.'
		]);
		expect((await data.historyState(created.datasetId)).undoLabel).toBe('Add 2 preference pairs');
	});

	it('refuses nothing to add, a draft that is not messages, and a dataset that is gone', async () => {
		const { service } = await withChat();
		expect(await service.create([], { kind: 'new', name: 'x' })).toEqual({ ok: false, error: 'There are no pairs to add: every proposal was dropped.' });
		const bad = { kind: 'pair', key: 'k', origin: 'swipes', prompt: [{ role: 'user', content: 'hi' }], chosen: [{ content: 'no role' }], rejected: [], source: '', provenance: {} } as unknown as PairDraft;
		expect(await service.create([bad], { kind: 'new', name: 'x' })).toEqual({ ok: false, error: 'Pair 1: its answers are not messages.' });
		expect(await service.fromSwipes('nope')).toEqual({ ok: false, error: 'That dataset no longer exists.' });
		expect(await service.fromRun('nope', 'judge')).toEqual({ ok: false, error: 'That run no longer exists.' });
	});
});
