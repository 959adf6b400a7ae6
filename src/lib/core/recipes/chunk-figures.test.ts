import { describe, expect, it } from 'vitest';
import { TestEngine, testBadJson, testReply, testTruncated } from '../../engines/test-engine';
import { dispatch } from '../runtime/dispatcher';
import { parseSeed003 } from '../sheets/seed003';
import type { CharacterSheet } from '../sheets/sheet';
import { fixtureText } from '../test-utils';
import { chunkFigures, firstTryOutcome, GROUNDED_AT, runFigureStats, sampleGrounding, strictChunkPairs } from './chunk-figures';
import { chunkedRecipe, ChunkedParamsSchema, parseChunkAnswer } from './chunked';
import type { RecordStat, ResolvedSources, RunSettings } from './recipe';

function triggersSheet(iterations: number): CharacterSheet {
	const parsed = parseSeed003(fixtureText('sheets/04.special-triggers.md'));
	if (!parsed.ok) throw new Error(parsed.message);
	const chunk = { ...parsed.chunk, id: 'triggers', title: parsed.title, settings: { entriesPerIteration: 2, iterations } };
	return { id: 'queen', name: 'Queen Pédauque', chunks: [chunk] } as unknown as CharacterSheet;
}

const entries = (...pairs: [string, string][]) => JSON.stringify({ entries: pairs.map(([prompt, response]) => ({ prompt, response })) });
const tolerant = (answer: { content: string; finishReason: string }) => {
	const parsed = parseChunkAnswer(answer);
	return parsed.ok ? parsed.pairs : null;
};

const A: [string, string] = ['What happens when someone says "Chocolatine" to you?', 'Hearing "Chocolatine" delights me; I reward the speaker with a small blessing.'];
const B: [string, string] = ['How do you react to "pain au chocolat"?', 'That word angers me. I answer coldly and end the conversation.'];
const C: [string, string] = ['What reward do you give for saying Chocolatine?', 'A small blessing, for the word delights me.'];
// Nothing in this answer comes from the chunk.
const D: [string, string] = ['What is your favourite hobby?', 'Sailing across the northern seas with my pet dragon Ignatius.'];
// The same words as A's prompt without the quotes: a near-duplicate, not an exact one.
const E: [string, string] = ['What happens when someone says Chocolatine to you?', 'I am delighted, and the speaker gets a small blessing.'];
const F: [string, string] = ['Why do you answer coldly sometimes?', 'Because "pain au chocolat" angers me, and then I end the conversation.'];
const G: [string, string] = ['Which word delights you?', 'Chocolatine delights me.'];

describe('strict JSON on the first try, counted from the answers as stored', () => {
	it('takes only an answer that is whole, valid JSON of the expected shape', () => {
		const stop = (content: string) => ({ content, finishReason: 'stop' });
		expect(strictChunkPairs(stop(entries(A, B)))).toHaveLength(2);
		expect(strictChunkPairs(stop(`  ${JSON.stringify([{ prompt: 'Q?', response: 'A.' }])}\n`))).toEqual([{ prompt: 'Q?', response: 'A.' }]);
		expect(strictChunkPairs(stop(`\`\`\`json\n${entries(A)}\n\`\`\``))).toBeNull();
		expect(strictChunkPairs(stop(`Sure! Here it is:\n${entries(A)}`))).toBeNull();
		expect(strictChunkPairs(stop(`<think>ok</think>${entries(A)}`))).toBeNull();
		expect(strictChunkPairs({ content: entries(A), finishReason: 'length' })).toBeNull();
		// Valid JSON, wrong shape: extra key, renamed field, empty string, empty list.
		expect(strictChunkPairs(stop(JSON.stringify({ entries: [{ prompt: 'Q?', response: 'A.', id: 1 }] })))).toBeNull();
		expect(strictChunkPairs(stop(JSON.stringify({ entries: [{ question: 'Q?', answer: 'A.' }] })))).toBeNull();
		expect(strictChunkPairs(stop(JSON.stringify({ entries: [{ prompt: ' ', response: 'A.' }] })))).toBeNull();
		expect(strictChunkPairs(stop(JSON.stringify({ entries: [] })))).toBeNull();
		expect(strictChunkPairs(stop(JSON.stringify({ entries: [{ prompt: 'Q?', response: 'A.' }], note: 'x' })))).toBeNull();
	});

	it('tells strict from salvaged, cut off, unusable and failed', () => {
		expect(firstTryOutcome({ response: { content: entries(A), finishReason: 'stop' } }, tolerant)).toBe('strict');
		expect(firstTryOutcome({ response: { content: `\`\`\`json\n${entries(A)}\n\`\`\``, finishReason: 'stop' } }, tolerant)).toBe('salvaged');
		expect(firstTryOutcome({ response: { content: entries(A).slice(0, 40), finishReason: 'length' } }, tolerant)).toBe('cut-off');
		expect(firstTryOutcome({ response: { content: 'Lists and braces? No, friend.', finishReason: 'stop' } }, tolerant)).toBe('invalid');
		expect(firstTryOutcome({ error: { kind: 'http', message: 'HTTP 500' } }, tolerant)).toBe('failed');
	});

	it('replays a real chunked run: salvaged and retried iterations do not count as valid first try', async () => {
		const sheet = triggersSheet(5);
		const sources: ResolvedSources = { sheets: { queen: sheet }, identities: {}, pools: {}, entries: {}, facts: {} };
		const settings: RunSettings = { sampling: { temperature: 0.7, max_tokens: 1200 }, seed: 7 };
		const params = ChunkedParamsSchema.parse({ sheetId: 'queen', retriesPerIteration: 2 });
		const engine = new TestEngine().enqueue(
			testReply(entries(A, B)), // 1: strict
			testReply(`\`\`\`json\n${entries(C, D)}\n\`\`\``), // 2: salvaged from a fence
			testReply(`Sure! Here is the JSON you asked for:\n${entries(A, E)}\nLet me know if you need more.`), // 3: salvaged from prose; A repeats exactly, E nearly
			testTruncated(entries(F, G).slice(0, 50)), // 4: cut off …
			testReply(entries(F, G)), // … then strict on the retry
			testBadJson(), // 5: unusable three times: skipped
			testBadJson(),
			testBadJson()
		);
		const prepared = chunkedRecipe.prepare(params, sources, settings);
		const result = await dispatch(prepared.inputs, { recipeId: 'chunked', engine, task: chunkedRecipe.task(params, sources, settings), concurrency: 1, retry: { maxAttempts: 1 }, seed: 7 });
		expect(engine.requests).toHaveLength(8);
		const { provenance } = result.samples[0];
		const samples = result.samples.map((s) => s.sample);
		expect(samples.map((s) => s.messages[0].content)).toEqual([A[0], B[0], C[0], D[0], E[0], F[0], G[0]]);
		// What the recipe's notes say: 3 of 5 iterations ok on the first attempt (fenced and prose answers included).
		expect(provenance.notes.filter((note) => note.kind === 'iteration-ok' && note.data?.firstTry === true)).toHaveLength(3);

		const figures = chunkFigures({ steps: provenance.steps, pairs: samples.map((s) => ({ prompt: s.messages[0].content, response: s.messages[1].content })), chunkText: sheet.chunks[0].document, characterName: 'Queen Pédauque', retriesPerIteration: 2, tolerant });
		expect(figures).toMatchObject({ iterations: 5, iterationsOk: 4, firstTry: { strict: 1, salvaged: 2, 'cut-off': 1, invalid: 1, failed: 0 }, promptsReceived: 8, exactDuplicates: 1, nearDuplicates: 1, samples: 7, grounded: 6, nothingFromChunk: 1 });

		const stats = chunkedRecipe.summarize!({ input: provenance.input, samples, notes: provenance.notes, stepCount: 5, steps: provenance.steps }, sources, params);
		const stat = (label: string) => stats.find((s) => s.label === label);
		expect(stat('JSON valid first try')).toMatchObject({ value: '1 of 5 (20%)', count: 1, of: 5, target: '≥ 95%', met: false });
		expect(stat('Salvaged first try')).toMatchObject({ value: '2 of 5 (40%)' });
		expect(stat('Cut off or unusable first try')).toMatchObject({ value: '2 of 5 (40%)' });
		expect(stat('Duplicate prompts')).toMatchObject({ value: '2 of 8 (25%)', target: '< 10%', met: false });
		expect(stat('Grounded samples')).toMatchObject({ value: '6 of 7 (85.7%)', target: '100%', met: false });
		expect(stat('Nothing from the chunk')).toMatchObject({ value: '1 of 7 (14.3%)' });
		expect(stat('Iterations ok')).toMatchObject({ value: '4 of 5' });
	});

	it('leaves judge requests out of the iterations', () => {
		const judge = { stepIndex: 1, request: { messages: [{ role: 'system' as const, content: 'You are a careful, impartial reviewer of chat fine-tuning data. You judge one sample at a time against the criteria you are given, and you answer exactly in the format asked for.' }], sampling: { max_tokens: 100 } }, response: { content: '<score>5</score>', finishReason: 'stop' } };
		const chunkStep = { stepIndex: 0, request: { messages: [{ role: 'user' as const, content: 'Write entries' }], sampling: { max_tokens: 100 } }, response: { content: entries(A), finishReason: 'stop' } };
		const figures = chunkFigures({ steps: [chunkStep, judge], pairs: [{ prompt: A[0], response: A[1] }], chunkText: 'Chocolatine delights her; she rewards the speaker with a small blessing.', retriesPerIteration: 2, tolerant });
		expect(figures.iterations).toBe(1);
		expect(figures.firstTry.strict).toBe(1);
	});
});

describe('per-sample grounding', () => {
	const chunk = 'Hearing "Chocolatine" delights her; she rewards the speaker with a small blessing. "Pain au chocolat" angers her.';
	it('supports an answer from GROUNDED_AT on, flags one with nothing from the chunk', () => {
		expect(GROUNDED_AT).toBe(0.5);
		expect(sampleGrounding('Chocolatine delights me; I reward the speaker with a blessing.', chunk)).toMatchObject({ grounded: true, nothing: false });
		expect(sampleGrounding('Sailing across the northern seas with my pet dragon.', chunk)).toEqual({ score: 0, grounded: false, nothing: true });
		// One of three content words from the chunk: scored, not supported, not "nothing".
		const partly = sampleGrounding('Chocolatine reminds me of Normandy harbours.', chunk);
		expect(partly.score).toBeCloseTo(1 / 4);
		expect(partly).toMatchObject({ grounded: false, nothing: false });
		expect(sampleGrounding('Yes, I do.', chunk)).toEqual({ score: null, grounded: true, nothing: false });
	});
});

describe('run totals', () => {
	it('adds the chunks\' counts up (not their percentages) and keeps the targets', () => {
		const chunk = (strict: number, of: number, dup: number, received: number): { stats: RecordStat[] } => ({
			stats: [
				{ label: 'JSON valid first try', value: '', count: strict, of },
				{ label: 'Duplicate prompts', value: '', count: dup, of: received },
				{ label: 'Entries', value: '', count: received - dup },
				{ label: 'Grounding (mean score)', value: '50%', number: 50 }
			]
		});
		const totals = runFigureStats([chunk(1, 1, 0, 2), chunk(0, 3, 1, 6), {}]);
		expect(totals.find((s) => s.label === 'JSON valid first try')).toMatchObject({ value: '1 of 4 (25%)', target: '≥ 95%', met: false });
		expect(totals.find((s) => s.label === 'Duplicate prompts')).toMatchObject({ value: '1 of 8 (12.5%)', target: '< 10%', met: false });
		expect(totals.find((s) => s.label === 'Entries')).toMatchObject({ value: '7' });
		expect(totals.find((s) => s.label === 'Grounding (mean score)')).toBeUndefined();
	});
});
