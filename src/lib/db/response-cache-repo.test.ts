import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stepKey } from '$lib/core/runtime/cache-key';
import type { ChatResponse } from '$lib/core/contracts/engine';
import { SkeinDatabase } from './database';
import { deleteResponses, IndexedDbResponseCache, pruneResponseCache, responseCacheSize } from './response-cache-repo';

const opened: SkeinDatabase[] = [];
function freshDb() {
	const db = new SkeinDatabase(`response-cache-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const answer: ChatResponse = {
	content: '{"entries":[{"prompt":"Do you miss the mainland?","response":"Only the bakeries."}]}',
	finishReason: 'stop',
	usage: { promptTokens: 412, completionTokens: 31, totalTokens: 443 },
	model: 'qwen2.5:7b',
	timing: { startedAt: 1_763_790_000_000, ms: 1840 }
};

const key = stepKey({
	model: 'endpoint:http://localhost:11434/v1:qwen2.5:7b',
	messages: [
		{ role: 'system', content: 'You are Mara.' },
		{ role: 'user', content: 'Write 1 entry.' }
	],
	sampling: { temperature: 0.7, max_tokens: 800 },
	stepIndex: 0
});

describe('IndexedDbResponseCache', () => {
	it('reads the lookups of one moment with one bulkGet, each answered with its own row', async () => {
		const db = freshDb();
		const cache = new IndexedDbResponseCache(db);
		await cache.set('k1', answer);
		await cache.set('k3', { ...answer, content: 'third' });
		const bulkGet = vi.spyOn(db.responseCache, 'bulkGet');
		const found = await Promise.all(['k1', 'k2', 'k3'].map((k) => cache.get(k)));
		expect(found).toEqual([{ response: answer }, undefined, { response: { ...answer, content: 'third' } }]);
		expect(bulkGet).toHaveBeenCalledTimes(1);
		await cache.get('k2');
		expect(bulkGet).toHaveBeenCalledTimes(2);
	});

	it('keeps an answer across connections (a reload) and forgets it on delete', async () => {
		const db = freshDb();
		let now = 100;
		const cache = new IndexedDbResponseCache(db, () => now);
		expect(await cache.get(key)).toBeUndefined();
		await cache.set(key, answer);

		const reopened = new SkeinDatabase(db.name);
		opened.push(reopened);
		expect(await new IndexedDbResponseCache(reopened).get(key)).toEqual({ response: answer });
		expect((await reopened.responseCache.get(key))?.at).toBe(100);

		now = 200;
		await cache.set(key, { ...answer, content: 'again' });
		expect((await cache.get(key))?.response.content).toBe('again');
		expect(await responseCacheSize(db)).toBe(1);

		await cache.markUnusable(key, 'not JSON');
		expect(await cache.get(key)).toEqual({ response: { ...answer, content: 'again' }, unusable: 'not JSON' });
		await cache.markUnusable('no-such-key', 'x');
		expect(await cache.get('no-such-key')).toBeUndefined();
		// A new answer under the key is usable again.
		await cache.set(key, answer);
		expect((await cache.get(key))?.unusable).toBeUndefined();

		await cache.delete(key);
		expect(await cache.get(key)).toBeUndefined();
	});

	it('prunes answers older than a time', async () => {
		const db = freshDb();
		let now = 10;
		const cache = new IndexedDbResponseCache(db, () => now);
		await cache.set('old', answer);
		now = 50;
		await cache.set('new', answer);
		expect(await pruneResponseCache(db, 20)).toBe(1);
		expect(await cache.get('old')).toBeUndefined();
		expect(await cache.get('new')).toEqual({ response: answer });
	});

	it('deletes the answers under the keys given (none: nothing)', async () => {
		const db = freshDb();
		const cache = new IndexedDbResponseCache(db);
		await cache.set('a', answer);
		await cache.set('b', answer);
		await deleteResponses(db, []);
		expect(await responseCacheSize(db)).toBe(2);
		await deleteResponses(db, ['a', 'missing']);
		expect(await cache.get('a')).toBeUndefined();
		expect(await cache.get('b')).toEqual({ response: answer });
	});
});
