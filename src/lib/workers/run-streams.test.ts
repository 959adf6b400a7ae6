import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveRequest, RunEvent } from '$lib/core/contracts/run-api';
import { cleanUp, fresh, SETTINGS, started } from './run-test-harness';
import { startModelServer, type ModelServer } from '../../../tests/model-server/server.mjs';

/**
 * Endpoint runs against the committed test model server, through the run service: the run log
 * says how requests are sent, streamed requests reach the run view as per-request progress, and a
 * stream cut short is retried — or, cut every time, fails its record with the partial text kept.
 */

let server: ModelServer | null = null;
afterEach(async () => {
	await cleanUp();
	await server?.close();
	server = null;
});

const endpoint = (url: string, stream: boolean) => ({ kind: 'endpoint' as const, label: 'Test server', baseUrl: url, model: 'test-model', structuredOutput: 'json_schema' as const, stream });

function requestEvents(events: RunEvent[]): Extract<RunEvent, { type: 'requests' }>[] {
	return events.filter((event): event is Extract<RunEvent, { type: 'requests' }> => event.type === 'requests');
}

describe('streamed endpoint runs', () => {
	it('pushes per-request progress while answers stream, says how requests are sent, and ends with nothing in flight', async () => {
		server = await startModelServer({ chunkDelayMs: 15 });
		const h = await fresh();
		const runId = await started(h, { engine: endpoint(server.url, true), concurrency: 2, settings: { ...SETTINGS, limit: 2 } });
		await h.service.whenSettled(runId);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ done: 2, failed: 0 });
		expect(detail?.log.map((line) => line.message)).toContain('Requests to the model server: structured output as response_format json_schema; answers streamed.');
		const pushed = requestEvents(h.events);
		const seen: LiveRequest[] = pushed.flatMap((event) => event.requests);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen.every((request) => request.tokens > 0 && request.label !== '' && request.stepIndex >= 0)).toBe(true);
		expect(new Set(seen.map((request) => request.recordIndex))).toEqual(new Set([0, 1]));
		expect(pushed.some((event) => event.tokensPerSecond !== null && event.tokensPerSecond > 0)).toBe(true);
		expect(pushed.at(-1)).toMatchObject({ requests: [], tokensPerSecond: null });
		expect(server.requests().filter((request) => request.path === '/v1/chat/completions').every((request) => request.stream)).toBe(true);
	});

	it('a stream cut short is retried; cut every time, the record fails with the text received kept in its step', async () => {
		server = await startModelServer({ answer: () => 'one two three four five six seven eight nine ten' });
		server.script([{ kind: 'drop-stream', times: 1 }]);
		const h = await fresh();
		const retried = await started(h, { engine: endpoint(server.url, true), concurrency: 1, settings: { ...SETTINGS, limit: 1 } });
		await h.service.whenSettled(retried);
		const first = await h.service.getRun(retried);
		expect(first?.run.counts).toMatchObject({ done: 1, failed: 0 });
		expect(first?.log.some((line) => /cut off after \d+ characters .*retrying in/.test(line.message))).toBe(true);

		// Other sampling: the answers of the first run are not in the response cache for this one.
		server.reset();
		server.script([{ kind: 'drop-stream', times: 100 }]);
		const cut = await started(h, { engine: endpoint(server.url, true), concurrency: 1, settings: { ...SETTINGS, sampling: { ...SETTINGS.sampling, temperature: 0.3 }, limit: 1 } });
		await h.service.whenSettled(cut);
		const detail = await h.service.getRun(cut);
		expect(detail?.run.counts).toMatchObject({ done: 0, failed: 1 });
		const record = await h.service.getRunRecord(cut, 0);
		expect(record?.error?.type).toBe('timeout');
		const step = record?.steps.at(-1);
		expect(step?.error?.kind).toBe('timeout');
		expect(step?.error?.partial).toMatch(/^one two/);
		expect(step?.error?.partial).not.toContain('ten');
	});

	it('not streamed when the endpoint is set so: plain JSON requests, no progress pushed', async () => {
		server = await startModelServer();
		const h = await fresh();
		const runId = await started(h, { engine: endpoint(server.url, false), settings: { ...SETTINGS, limit: 1 } });
		await h.service.whenSettled(runId);
		expect((await h.service.getRun(runId))?.run.counts.done).toBe(1);
		expect(server.requests().every((request) => !request.stream)).toBe(true);
		expect(requestEvents(h.events).flatMap((event) => event.requests)).toEqual([]);
	});
});
