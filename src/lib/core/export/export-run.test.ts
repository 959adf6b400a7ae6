import { describe, expect, it } from 'vitest';
import { planExport, summarizeEntry, type ExportPlanOptions } from './export-plan';
import { exportPartFileName, ExportRun, type ExportSettings } from './export-run';
import { LOSS_TOOL_CALL_IDS } from './write-sharegpt';
import { CHANGE_NAMES_SUBSTITUTED, CHANGE_THINKING_STRIPPED } from './transforms';
import { lossNotes } from './writers';
import { roleplayEntries, reimport } from './test-entries';
import type { Entry } from '../model';
import type { OutputPart } from './export-plan';

const date = new Date(2026, 10, 22, 12);
const entries = [...roleplayEntries().values()];

/** Runs a whole export, feeding entries in the given order and draining after each one. */
function runExport(settings: Omit<ExportSettings, 'date' | 'datasetName'>, planOptions: ExportPlanOptions, feed: readonly Entry[] = entries) {
	const plan = planExport(entries.map(summarizeEntry), planOptions);
	const run = new ExportRun(plan, { datasetName: 'Hollin RP', date, ...settings });
	const text = new Map<OutputPart, string>(run.files.map((f) => [f.part, '']));
	const drain = () => run.files.forEach((f) => text.set(f.part, (text.get(f.part) ?? '') + run.takeReady(f.part)));
	for (const entry of feed) {
		run.accept(entry);
		drain();
	}
	const report = run.finish();
	drain();
	return { plan, run, report, text };
}

describe('file names', () => {
	it('adds the part before the format', () => {
		expect(exportPartFileName('Hollin RP', 'sharegpt', date, 'all')).toBe('Hollin-RP.sharegpt.2026-11-22.jsonl');
		expect(exportPartFileName('Hollin RP', 'alpaca', date, 'train')).toBe('Hollin-RP.train.alpaca.2026-11-22.jsonl');
		expect(exportPartFileName('../x', 'openai', date, 'validation')).toBe('x.validation.openai.2026-11-22.jsonl');
	});
});

describe('ExportRun', () => {
	it('writes every accepted entry in plan order and reports skips with reasons', () => {
		const { report, text } = runExport({ format: 'sharegpt' }, { scope: { reviewStates: ['accepted', 'draft'] } });
		const [file] = report.files;
		expect(file).toMatchObject({ part: 'all', fileName: 'Hollin-RP.sharegpt.2026-11-22.jsonl', planned: 6, written: 5, lines: 5, skippedCount: 1 });
		expect(file.skipped).toEqual([{ id: 'rp-narrator', reason: expect.objectContaining({ code: 'custom-role' }) }]);
		expect(file.skippedByCode).toEqual({ 'custom-role': 1 });
		// The tool entry's ids are call_1…, which a re-import gives back: not a loss.
		expect(file.losses.map((l) => l.text)).not.toContain(LOSS_TOOL_CALL_IDS);
		expect(report.lossNotes).toEqual(lossNotes('sharegpt'));
		const lines = (text.get('all') ?? '').split('\n');
		expect(lines.pop()).toBe('');
		expect(lines).toHaveLength(5);
		expect(reimport(lines).entries).toHaveLength(5);
	});

	it('gives the same bytes whatever order the entries arrive in', () => {
		const options: ExportPlanOptions = { seed: 11, shuffle: true, split: { kind: 'ratio', validationRatio: 0.3 } };
		const settings = { format: 'openai' as const, writer: { openAiMetadata: true } };
		const inOrder = runExport(settings, options);
		const reversed = runExport(settings, options, [...entries].reverse());
		expect(reversed.text).toEqual(inOrder.text);
		expect(reversed.report).toEqual(inOrder.report);
		const [train, validation] = inOrder.report.files;
		expect([train.planned, validation.planned]).toEqual([5, 2]);
		const ids = (part: OutputPart) => (inOrder.text.get(part) ?? '').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
		expect(ids('train')).toEqual(inOrder.plan.files[0].ids);
		expect(ids('validation')).toEqual(inOrder.plan.files[1].ids);
	});

	it('streams in storage order: each entry is handed out as soon as it is accepted', () => {
		const plan = planExport(entries.map(summarizeEntry));
		const run = new ExportRun(plan, { datasetName: 'd', date, format: 'openai' });
		for (const entry of entries) {
			run.accept(entry);
			expect(run.takeReady('all')).toBe(JSON.stringify({ messages: entry.messages, ...(entry.extra.tools ? { tools: entry.extra.tools } : {}) }) + '\n');
		}
	});

	it('applies transforms and counts their changes and exclusions', () => {
		const { report } = runExport(
			{ format: 'alpaca', transforms: { systemPrompt: 'include', names: { fromEntryCharacters: true, char: 'Mira', user: 'you' }, think: 'strip' } },
			{ split: { kind: 'tag', tag: 'identity' } }
		);
		const [train, validation] = report.files;
		expect(train.fileName).toBe('Hollin-RP.train.alpaca.2026-11-22.jsonl');
		expect(train).toMatchObject({ planned: 5, written: 2, skippedByCode: { 'tool-turns': 1, 'not-alternating': 1, 'custom-role': 1 } });
		expect(train.changes).toEqual([
			// Counted for written entries only: rp-double-post had macros too, but was skipped.
			{ text: CHANGE_NAMES_SUBSTITUTED, count: 1 },
			{ text: CHANGE_THINKING_STRIPPED, count: 1 }
		]);
		expect(validation).toMatchObject({ planned: 2, written: 1, skippedByCode: { 'think-unclosed': 1 } });
		expect(validation.skipped[0]).toEqual({ id: 'think-unclosed', reason: { code: 'think-unclosed', message: 'message 2 (assistant): <think> is never closed' } });
	});

	it('reports planned entries that never arrive, and ignores unplanned or repeated ones', () => {
		const plan = planExport(entries.map(summarizeEntry), { scope: { ids: ['identity-who', 'plain-capital'] } });
		const run = new ExportRun(plan, { datasetName: 'd', date, format: 'prompt-response' });
		expect(run.accept(entries.find((e) => e.id === 'rp-tavern') as Entry)).toBe(false);
		const who = entries.find((e) => e.id === 'identity-who') as Entry;
		expect(run.accept(who)).toBe(true);
		expect(run.accept(who)).toBe(false);
		const report = run.finish();
		expect(report.files[0]).toMatchObject({ planned: 2, written: 1, skippedCount: 1, skipped: [{ id: 'plain-capital', reason: { code: 'not-supplied' } }] });
		expect(run.takeReady('all').split('\n')).toHaveLength(2);
		expect(() => run.accept(who)).toThrow();
	});
});
