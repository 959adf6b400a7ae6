import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { RECIPES } from '$lib/core/recipes/registry';
import { storePool } from '$lib/db/pools-repo';
import { toDpoRecord } from '$lib/core/export/preference-jsonl';
import { defaultAnswer, startModelServer, type ModelServer } from '../../../tests/model-server/server.mjs';
import { cleanUp, fresh } from './run-test-harness';
import { PreferenceService } from './preference-service';

/**
 * Best-of-N against the committed test model server: N answers per prompt, each asked with its
 * own seed, all judged, and the judge-score source pairs the best with the worst. The server here
 * answers like a sampling model (the seed changes the answer) and its judge scores the answers by
 * how much they say, so the scores differ as they would with a real judge.
 */

let server: ModelServer | null = null;
afterEach(async () => {
	await cleanUp();
	await server?.close();
	server = null;
});

const JUDGE = 'You are a careful, impartial reviewer';
const DETAIL = ['', ' The tide tables are pinned by the door.', ' The tide tables are pinned by the door, and the bell is oiled every Sunday.'];

type Body = Parameters<typeof defaultAnswer>[0] & { seed?: number };

function samplingModel(body: Body): string {
	const system = String(body.messages?.[0]?.content ?? '');
	if (system.startsWith(JUDGE)) {
		// Scores the reply by its length class: 2, 6 or 9 out of 10.
		const user = String(body.messages?.[1]?.content ?? '');
		const score = user.includes('bell is oiled') ? 9 : user.includes('tide tables') ? 6 : 2;
		return `<rationale>Scored by how much the reply says.</rationale>\n<score>${score}</score>`;
	}
	return `${defaultAnswer(body)}${DETAIL[(body.seed ?? 0) % 3]}`;
}

const endpoint = (url: string) => ({ kind: 'endpoint' as const, label: 'Test server', baseUrl: url, model: 'test-model', structuredOutput: 'json_schema' as const, stream: false });
const SETTINGS = { sampling: { temperature: 0.9, max_tokens: 200 }, seed: 30 };
const PARAMS = { poolId: 'pool-keeper', n: 2, mix: [], systemPrompt: 'You are Wren, the lighthouse keeper.', bestOf: 3, judge: { criteria: 'Says something useful.', threshold: 5 } };

async function setUp() {
	server = await startModelServer({ answer: samplingModel });
	const h = await fresh({ recipes: RECIPES });
	await storePool(h.db, { id: 'pool-keeper', name: 'Keeper prompts', sourceName: 'keeper.txt', createdAt: 1 }, [
		{ text: 'What do you do when a storm comes?', rating: null },
		{ text: 'How do you keep the light burning?', rating: null }
	]);
	return h;
}

describe('best-of-N answers to a prompt pool, judged, paired by judge score', () => {
	it('asks N answers per prompt with seeds run seed + candidate, judges each, and pairs best vs worst', async () => {
		const h = await setUp();
		const started = await h.service.startRun({ recipeId: 'pool-answers', params: PARAMS, settings: SETTINGS, engine: endpoint(server!.url), concurrency: 2 });
		if (!started.ok) throw new Error(started.error);
		await h.service.whenSettled(started.runId);
		expect((await h.service.getRun(started.runId))?.run.counts).toMatchObject({ total: 2, done: 2, failed: 0, samples: 6 });

		const sent = server!.requests().filter((request) => request.path === '/v1/chat/completions');
		const voice = sent.filter((request) => !String(request.body.messages[0].content).startsWith(JUDGE));
		const judged = sent.filter((request) => String(request.body.messages[0].content).startsWith(JUDGE));
		expect(voice.map((request) => request.body.seed).sort()).toEqual([30, 30, 31, 31, 32, 32]);
		expect(judged).toHaveLength(6);

		const items = await h.service.listReviewItems(started.runId);
		expect(items.map((item) => [item.recordIndex, item.sampleIndex, item.sample.meta.candidate, item.sample.meta.of, item.sample.judge?.score])).toEqual([
			[0, 0, 1, 3, 2],
			[0, 1, 2, 3, 6],
			[0, 2, 3, 3, 9],
			[1, 0, 1, 3, 2],
			[1, 1, 2, 3, 6],
			[1, 2, 3, 3, 9]
		]);

		const built = await new PreferenceService(h.db, h.data).fromRun(started.runId, 'judge', { margin: 2 });
		if (!built.ok) throw new Error(built.error);
		expect(built.skipped).toEqual({});
		const storm = 'What do you do when a storm comes?';
		const first = items[0].sample.messages[2].content;
		expect(built.drafts).toHaveLength(2);
		expect(built.drafts[0]).toMatchObject({ kind: 'pair', origin: 'judge', source: `${items[0].recordLabel}: judge score 9 vs 2`, provenance: { runId: started.runId, recipeId: 'pool-answers', chosenScore: 9, rejectedScore: 2 } });
		const saved = await new PreferenceService(h.db, h.data).create(built.drafts, { kind: 'new', name: 'Keeper pairs' });
		if (!saved.ok) throw new Error(saved.error);
		expect(saved.created).toBe(2);
		const page = await h.data.getPage(saved.datasetId, 0, 10);
		expect(toDpoRecord(page.entries[0])).toEqual({
			prompt: [
				{ role: 'system', content: 'You are Wren, the lighthouse keeper.' },
				{ role: 'user', content: storm }
			],
			chosen: [{ role: 'assistant', content: `${first}${DETAIL[2]}` }],
			rejected: [{ role: 'assistant', content: first }]
		});
	});

	it('refuses best-of-N without the judge, and asks exactly as before with N = 1', async () => {
		const h = await setUp();
		const { judge, ...unjudged } = PARAMS;
		void judge;
		const refused = await h.service.startRun({ recipeId: 'pool-answers', params: unjudged, settings: SETTINGS, engine: endpoint(server!.url), concurrency: 1 });
		expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('Best-of-N needs the judge'), field: 'params.bestOf' });

		const single = await h.service.startRun({ recipeId: 'pool-answers', params: { ...unjudged, bestOf: 1 }, settings: SETTINGS, engine: endpoint(server!.url), concurrency: 1 });
		if (!single.ok) throw new Error(single.error);
		await h.service.whenSettled(single.runId);
		expect((await h.service.getRun(single.runId))?.run.counts).toMatchObject({ done: 2, samples: 2 });
		// One request per prompt, with the run's own sampling (no seed added).
		expect(server!.requests().filter((request) => request.path === '/v1/chat/completions').map((request) => request.body.seed)).toEqual([undefined, undefined]);
	});
});
