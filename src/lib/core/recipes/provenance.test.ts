import { describe, expect, it } from 'vitest';
import type { RunSampleRow } from '../contracts/rows';
import { hashMessages } from '../hash';
import type { StepRecord } from '../runtime/dispatcher';
import { acceptedEntry, type ProvenanceRecord, type ProvenanceRun } from './provenance';

const RUN: ProvenanceRun = {
	id: 'run-1',
	label: 'Mara, first pass',
	recipeId: 'lighthouse-qa',
	engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' },
	settings: { sampling: { temperature: 1.2, max_tokens: 512 }, seed: 99 }
};

const STEP: StepRecord = {
	stepIndex: 0,
	engineId: 'test:rehearsal',
	request: { messages: [{ role: 'user', content: 'QUESTION ABOUT: the storm' }], sampling: { temperature: 0.7, max_tokens: 256 } },
	response: { content: 'What was the storm like?', finishReason: 'stop', usage: { promptTokens: 40, completionTokens: 9, totalTokens: 49 } },
	model: 'rehearsal',
	attempts: 1,
	cached: false,
	cacheKey: 'k0',
	startedAt: 10,
	endedAt: 20,
	engineMs: 9
};

const RECORD: ProvenanceRecord = {
	recordId: 'c-storm',
	label: 'Chunk: The storm',
	steps: [STEP, { ...STEP, stepIndex: 1, response: undefined, model: undefined, error: { kind: 'http', message: 'HTTP 500', status: 500 }, rejected: 'cut off', engineMs: undefined, attempts: 3 }],
	notes: [{ level: 'info', message: 'Asked about The storm.' }],
	generatedWith: { engine: { kind: 'test', label: 'Rehearsal' }, settings: { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 7 } }
};

const SAMPLE: RunSampleRow = {
	id: 'run-1:2:0',
	runId: 'run-1',
	recordIndex: 2,
	sampleIndex: 0,
	sample: {
		messages: [
			{ role: 'user', content: 'What was the storm like?' },
			{ role: 'assistant', content: 'Loud. I rang the bell until dawn.' }
		],
		tags: ['generated', 'rehearsal', 'generated'],
		meta: { chunkId: 'c-storm' },
		judge: { score: 8, rationale: 'In voice.', threshold: 6, passed: true }
	},
	review: 'accepted',
	createdAt: 1
};

const plain = (messages: RunSampleRow['sample']['messages']) => messages.map((message) => ({ role: message.role, content: message.content }));

describe('acceptedEntry', () => {
	it('makes an entry of the sample with its whole provenance', () => {
		const entry = acceptedEntry(RUN, { version: 3 }, RECORD, SAMPLE, 'e-7', '2026-11-01T10:00:00.000Z');
		expect(entry).toMatchObject({ id: 'e-7', messages: SAMPLE.sample.messages, tags: ['generated', 'rehearsal'], extra: {}, hash: hashMessages(plain(SAMPLE.sample.messages)) });
		expect(entry.meta.review).toBe('accepted');
		expect(entry.meta.provenance).toEqual({
			kind: 'generation',
			runId: 'run-1',
			runLabel: 'Mara, first pass',
			recipeId: 'lighthouse-qa',
			recipeVersion: 3,
			recordId: 'c-storm',
			recordLabel: 'Chunk: The storm',
			recordIndex: 2,
			sampleIndex: 0,
			// What made the sample, not what the run was edited to since.
			engine: 'Rehearsal',
			engineKind: 'test',
			model: 'rehearsal',
			sampling: { temperature: 0.7, max_tokens: 256 },
			seed: 7,
			steps: [
				{
					stepIndex: 0,
					request: STEP.request,
					response: { content: 'What was the storm like?', finishReason: 'stop' },
					model: 'rehearsal',
					timing: { startedAt: 10, endedAt: 20, engineMs: 9 },
					tokens: { promptTokens: 40, completionTokens: 9, totalTokens: 49 },
					attempts: 1,
					cached: false
				},
				{ stepIndex: 1, request: STEP.request, error: { kind: 'http', message: 'HTTP 500', status: 500 }, rejected: 'cut off', timing: { startedAt: 10, endedAt: 20 }, attempts: 3, cached: false }
			],
			notes: RECORD.notes,
			judge: SAMPLE.sample.judge,
			sample: { chunkId: 'c-storm' },
			edited: false,
			acceptedAt: '2026-11-01T10:00:00.000Z'
		});
	});

	it('takes the reviewer’s edit, and an empty edit as none', () => {
		const edited = [
			{ role: 'user' as const, content: 'What was the storm like?' },
			{ role: 'assistant' as const, content: 'Loud.' }
		];
		const entry = acceptedEntry(RUN, undefined, RECORD, { ...SAMPLE, edited }, 'e-1', 'now');
		expect(entry.messages).toEqual(edited);
		expect(entry.hash).toBe(hashMessages(plain(edited)));
		expect((entry.meta.provenance as { edited: boolean }).edited).toBe(true);
		const emptied = acceptedEntry(RUN, undefined, RECORD, { ...SAMPLE, edited: [] }, 'e-2', 'now');
		expect(emptied.messages).toEqual(SAMPLE.sample.messages);
		expect((emptied.meta.provenance as { edited: boolean }).edited).toBe(false);
	});

	it('falls back on the run’s engine and settings for a record stored before it kept its own, and on nothing for a lost record', () => {
		const older: ProvenanceRecord = { ...RECORD, generatedWith: undefined };
		expect(acceptedEntry(RUN, { version: 1 }, older, SAMPLE, 'e', 'now').meta.provenance).toMatchObject({ engine: 'Local', engineKind: 'endpoint', model: 'qwen2.5:7b', sampling: RUN.settings.sampling, seed: 99 });
		const lost = acceptedEntry(RUN, undefined, undefined, { ...SAMPLE, sample: { ...SAMPLE.sample, judge: undefined } }, 'e', 'now').meta.provenance as Record<string, unknown>;
		expect(lost).toMatchObject({ recordId: undefined, recordLabel: undefined, recipeVersion: undefined, steps: [], notes: [] });
		expect(lost).not.toHaveProperty('judge');
	});
});
