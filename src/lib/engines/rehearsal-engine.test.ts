import { describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import { JUDGE_SYSTEM_PROMPT } from '$lib/core/recipes/judge';
import { REHEARSAL_TAG, RehearsalEngine, rehearsalReply } from './rehearsal-engine';

const ask = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }], sampling: { max_tokens: 64 } });
const echo = (request: ChatRequest) => `Rehearsed: ${request.messages.at(-1)?.content}`;

describe('RehearsalEngine', () => {
	it('answers with the recipe’s canned answer, as the rehearsal model', async () => {
		const engine = new RehearsalEngine({ kind: 'test', label: 'Rehearsal' }, echo);
		expect([engine.id, engine.label, engine.kind, engine.maxConcurrency, engine.supportsJsonSchema]).toEqual(['test:rehearsal', 'Rehearsal', 'test', 64, true]);
		const response = await engine.chat(ask('the storm'));
		expect(response).toMatchObject({ content: 'Rehearsed: the storm', model: 'rehearsal' });
		expect(engine.inner.requests).toHaveLength(1);
		expect(REHEARSAL_TAG).toBe('rehearsal');
	});

	it('fails every Nth request with a retryable 503 and answers unparsable JSON every Mth time', async () => {
		const engine = new RehearsalEngine({ kind: 'test', label: 'R', options: { failEvery: 3, badJsonEvery: 2 } }, echo);
		const outcomes: string[] = [];
		for (let i = 0; i < 6; i++) {
			try {
				outcomes.push((await engine.chat(ask(`q${i}`))).content);
			} catch (error) {
				expect(error).toBeInstanceOf(EngineError);
				expect(error).toMatchObject({ kind: 'http', status: 503, retryAfterMs: 100, message: 'HTTP 503 Service Unavailable (rehearsal: every 3th request fails)' });
				outcomes.push('503');
			}
		}
		expect(outcomes).toEqual(['Rehearsed: q0', '{"answer": "unterminated', '503', 'Rehearsed: q3', '{"answer": "unterminated', '503']);
	});

	it('refuses an aborted request', async () => {
		const engine = new RehearsalEngine({ kind: 'test', label: 'R' }, echo);
		const controller = new AbortController();
		controller.abort();
		await expect(engine.chat({ ...ask('x'), signal: controller.signal })).rejects.toMatchObject({ kind: 'aborted' });
	});
});

describe('rehearsalReply', () => {
	const recipe = { rehearse: (request: ChatRequest, random: () => number) => `${request.messages.at(-1)?.content} #${Math.floor(random() * 1000)}` };

	it('answers the recipe’s requests by its rehearse, seeded by the engine’s number', () => {
		const reply = rehearsalReply(recipe);
		expect(reply(ask('a question'), 0.25)).toBe(reply(ask('a question'), 0.25));
		expect(reply(ask('a question'), 0.25)).not.toBe(reply(ask('a question'), 0.75));
		expect(reply(ask('a question'), 0.25)).toMatch(/^a question #\d+$/);
	});

	it('answers judge requests with a rehearsal verdict whichever recipe asked', () => {
		const judge: ChatRequest = {
			messages: [
				{ role: 'system', content: JUDGE_SYSTEM_PROMPT },
				{ role: 'user', content: 'Score from 1 to 10.\nUser: Hello?\nAssistant: Hello, keeper here.' }
			],
			sampling: { max_tokens: 64 }
		};
		const verdict = rehearsalReply(recipe)(judge, 0.5);
		expect(verdict).toContain('Rehearsal verdict');
		expect(verdict).toMatch(/<score>\d+<\/score>$/);
	});
});
