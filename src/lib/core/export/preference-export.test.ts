/**
 * Preference data on export (issue 16): exact DPO / KTO / LLaMA-Factory ranking lines, what the
 * SFT formats do with pairs and labels (the rejected and unwanted answers are never written), the
 * Skein round trip, and a DPO file that re-imports as the same pairs.
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { importFixture, importInChunks } from '../test-utils';
import { planExport, summarizeEntry } from './export-plan';
import { ExportRun, type ExportSettings } from './export-run';
import { emptyFileReason } from './empty-file';
import { CHANGE_PAIR_AS_CHOSEN, CHANGE_LABEL_AS_CHAT, prepareForExport } from './preference-view';
import { describePreferenceHandling, PreferenceTally } from './preference-tally';
import { EXPORT_FILE_FORMATS, type ExportFileFormat } from './serialize';

const date = new Date(2026, 10, 22, 12);

/** Two pairs, one KTO label of each kind, and a plain chat. */
function mixed(): Entry[] {
	const pairs = importFixture('preference/trl-conversational.jsonl').entries.slice(0, 2);
	const labels = importFixture('preference/trl-kto-conversational.jsonl').entries.slice(0, 2);
	const plain = importInChunks('{"messages": [{"role": "user", "content": "Hello?"}, {"role": "assistant", "content": "Hello, keeper here."}]}').entries;
	return [...pairs, ...labels, ...plain].map((entry, i) => ({ ...entry, id: `p${i + 1}` }));
}

function exportAll(entries: Entry[], settings: Omit<ExportSettings, 'date' | 'datasetName'>) {
	const plan = planExport(entries.map(summarizeEntry), {});
	const run = new ExportRun(plan, { datasetName: 'North Point', date, ...settings });
	for (const entry of entries) run.accept(entry);
	const report = run.finish();
	return { text: run.takeReady('all'), file: report.files[0] };
}

const PROMPT = [{ role: 'user', content: 'What color is the sky?' }];
const BLUE = [{ role: 'assistant', content: 'It is blue.' }];
const GREEN = [{ role: 'assistant', content: 'It is green.' }];

describe('DPO export (TRL conversational preference)', () => {
	it('writes every pair as prompt / chosen / rejected and skips the rest, counted', () => {
		const { text, file } = exportAll(mixed(), { format: 'dpo' });
		const line = JSON.stringify({ prompt: PROMPT, chosen: BLUE, rejected: GREEN });
		expect(text).toBe(`${line}\n${line}\n`);
		expect(file.fileName).toBe('North-Point.dpo.2026-11-22.jsonl');
		expect(file).toMatchObject({ planned: 5, written: 2, lines: 2, skippedCount: 3, skippedByCode: { 'not-a-pair': 2, 'no-preference': 1 } });
	});

	it('re-imports as the same pairs', () => {
		const original = importFixture('preference/lf-sharegpt-ranking.json').entries;
		const { text } = exportAll(original, { format: 'dpo' });
		const again = importInChunks(text).entries;
		expect(again.map((e) => [e.messages, e.preference])).toEqual(original.map((e) => [e.messages, e.preference]));
		expect(again.every((e) => e.meta.source?.format === 'trl-preference')).toBe(true);
	});

	it('applies the transforms to both answers alike', () => {
		const [entry] = importInChunks(
			'{"prompt": [{"role": "system", "content": "You are Mara."}, {"role": "user", "content": "Lit?"}], "chosen": [{"role": "assistant", "content": "<think>check</think>Yes."}], "rejected": [{"role": "assistant", "content": "<think>guess</think>No."}]}'
		).entries;
		const { text, file } = exportAll([entry], { format: 'dpo', transforms: { systemPrompt: 'omit', think: 'strip' } });
		expect(JSON.parse(text)).toEqual({ prompt: [{ role: 'user', content: 'Lit?' }], chosen: [{ role: 'assistant', content: 'Yes.' }], rejected: [{ role: 'assistant', content: 'No.' }] });
		expect(file.changes.map((c) => c.text).sort()).toEqual(['system prompt omitted', 'thinking stripped']);
	});

	it('is never downloaded empty: the reason names what was skipped', () => {
		const labels = importFixture('preference/trl-kto-standard.jsonl').entries;
		const { file } = exportAll(labels, { format: 'dpo' });
		expect(emptyFileReason(file)).toContain('2 × labelled answers (KTO), not pairs');
	});
});

describe('KTO export (TRL conversational unpaired preference)', () => {
	it('writes labels as they are and pairs as a true and a false line', () => {
		const { text, file } = exportAll(mixed(), { format: 'kto' });
		const line = (completion: unknown, label: boolean) => JSON.stringify({ prompt: PROMPT, completion, label });
		expect(text.split('\n')).toEqual([line(BLUE, true), line(GREEN, false), line(BLUE, true), line(GREEN, false), line(BLUE, true), line(GREEN, false), '']);
		expect(file).toMatchObject({ written: 4, lines: 6, skippedByCode: { 'no-preference': 1 } });
	});

	it('re-imports as the same labels', () => {
		const original = importFixture('preference/lf-kto.json').entries;
		const again = importInChunks(exportAll(original, { format: 'kto' }).text).entries;
		expect(again.map((e) => [e.messages, e.preference])).toEqual(original.map((e) => [e.messages, e.preference]));
	});
});

describe('LLaMA-Factory ranking export (ShareGPT)', () => {
	it('writes the prompt as conversations and one chosen / rejected turn each, system as a turn', () => {
		const original = importFixture('preference/lf-sharegpt-ranking.json').entries;
		const { text } = exportAll(original, { format: 'sharegpt-ranking' });
		const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
		expect(lines[0]).toEqual({
			conversations: [{ from: 'human', value: 'The keeper asks: should I trim the wick before the storm or after it?' }],
			chosen: { from: 'gpt', value: 'Before. A trimmed wick burns clean through the night, and you will not want to climb the stair in a gale.' },
			rejected: { from: 'gpt', value: 'It does not matter.' }
		});
		expect(lines[1].conversations[0]).toEqual({ from: 'system', value: 'You are Mara, the keeper of the North Point lighthouse.' });
		const again = importInChunks(text).entries;
		expect(again.map((e) => [e.messages, e.preference])).toEqual(original.map((e) => [e.messages, e.preference]));
	});
});

describe('SFT exports never write a rejected or unwanted answer', () => {
	for (const format of ['openai', 'sharegpt', 'alpaca', 'prompt-response'] as const) {
		it(`${format}: pairs as prompt + chosen, wanted labels as chats, unwanted left out (counted)`, () => {
			const { text, file } = exportAll(mixed(), { format });
			expect(text).not.toContain('It is green.');
			expect(text.split('\n').filter((l) => l.includes('It is blue.'))).toHaveLength(3);
			expect(file).toMatchObject({ planned: 5, written: 4, skippedCount: 1, skippedByCode: { 'unwanted-answer': 1 } });
			expect(file.changes).toEqual(
				expect.arrayContaining([
					{ text: CHANGE_PAIR_AS_CHOSEN, count: 2 },
					{ text: CHANGE_LABEL_AS_CHAT, count: 1 }
				])
			);
		});
	}

	it('openai: the exact lines', () => {
		const { text } = exportAll(mixed(), { format: 'openai' });
		const chat = JSON.stringify({ messages: [...PROMPT, ...BLUE] });
		expect(text).toBe(`${chat}\n${chat}\n${chat}\n${JSON.stringify({ messages: [{ role: 'user', content: 'Hello?' }, { role: 'assistant', content: 'Hello, keeper here.' }] })}\n`);
	});

	it('the pre-export check sees what is written: prompt + chosen, no unwanted answer', () => {
		const [pair, , , unwanted] = mixed();
		const kept = prepareForExport(pair, 'openai');
		expect(kept.kind === 'kept' && kept.entry.messages).toEqual([...PROMPT, ...BLUE]);
		expect(kept.kind === 'kept' && kept.entry.preference).toBeUndefined();
		expect(prepareForExport(unwanted, 'sharegpt')).toMatchObject({ kind: 'excluded', reason: { code: 'unwanted-answer' } });
		// Preference formats and Skein keep the pair.
		expect(prepareForExport(pair, 'dpo')).toEqual({ kind: 'kept', entry: pair, changes: [] });
	});
});

describe('Skein full-fidelity round trip', () => {
	it('keeps pairs and labels exactly', () => {
		const entries = mixed();
		const { text } = exportAll(entries, { format: 'skein' });
		const again = importInChunks(text).entries;
		expect(again).toEqual(entries);
	});
});

describe('the pre-export account of preference data', () => {
	const tally = new PreferenceTally();
	const identical = importFixture('preference/trl-conversational.jsonl').entries[2];
	for (const entry of [...mixed(), identical]) tally.add(entry);

	it('counts pairs, identical pairs, labels and plain chats', () => {
		expect(tally.counts).toEqual({ pairs: 3, identicalPairs: 1, wanted: 1, unwanted: 1, plain: 1 });
	});

	it('says what an SFT export does with them', () => {
		expect(describePreferenceHandling(tally.counts, 'openai').map((l) => l.text)).toEqual([
			'3 preference pairs: each written as its prompt + chosen answer; the rejected answers are not written.',
			'1 answer labelled unwanted (KTO false): left out of this file.',
			'1 answer labelled wanted (KTO true): written as a chat.',
			'1 pair has identical chosen and rejected answers: it teaches nothing (Validate flags them).'
		]);
	});

	it('says what the preference formats do with them', () => {
		expect(describePreferenceHandling(tally.counts, 'dpo').map((l) => l.text)).toEqual([
			'3 pairs written with chosen and rejected answers.',
			'2 labelled answers (KTO) skipped: the KTO export writes them.',
			'1 entry without preference data skipped.',
			'1 pair has identical chosen and rejected answers: it teaches nothing (Validate flags them).'
		]);
		expect(describePreferenceHandling(tally.counts, 'kto').map((l) => l.text).slice(0, 2)).toEqual([
			'2 labelled answers written with their label (1 false).',
			'3 pairs written as 6 lines: chosen true, rejected false.'
		]);
	});

	it('says nothing when there is no preference data, whatever the format', () => {
		for (const format of EXPORT_FILE_FORMATS as readonly ExportFileFormat[]) expect(describePreferenceHandling({ pairs: 0, identicalPairs: 0, wanted: 0, unwanted: 0, plain: 9 }, format)).toEqual([]);
	});
});
