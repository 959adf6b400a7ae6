import { describe, expect, it } from 'vitest';
import { planExport, summarizeEntry } from './export-plan';
import { ExportRun } from './export-run';
import { emptyFileReason } from './empty-file';
import { entryOf } from './test-entries';
import { entryToOpenAiRecord } from './serialize';

const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
const toolEntry = (id: string) =>
	entryOf(
		[
			{ role: 'user', content: 'q' },
			{ role: 'assistant', content: null, tool_calls: [call] },
			{ role: 'tool', content: '1', tool_call_id: 'call_1' },
			{ role: 'assistant', content: 'It is 1.' }
		],
		{ id }
	);

function run(entries: ReturnType<typeof toolEntry>[], format: 'alpaca' | 'openai') {
	const plan = planExport(entries.map(summarizeEntry));
	const exportRun = new ExportRun(plan, { datasetName: 'tools', date: new Date(2026, 11, 5), format });
	for (const entry of entries) exportRun.accept(entry);
	return exportRun.finish().files[0];
}

describe('empty export files', () => {
	it('say why they are empty instead of downloading nothing', () => {
		const file = run([toolEntry('a'), toolEntry('b')], 'alpaca');
		expect(file.lines).toBe(0);
		expect(emptyFileReason(file)).toBe(
			'tools.alpaca.2026-12-05.jsonl would be empty, so it is not downloaded: all 2 entries were skipped — 2 × tool calls or tool results the format cannot express (e.g. message 2 (assistant): Alpaca cannot express tool calls or tool results).'
		);
	});

	it('have no reason when something was written', () => {
		expect(emptyFileReason(run([toolEntry('a')], 'openai'))).toBeNull();
	});

	it('name an empty scope', () => {
		expect(emptyFileReason(run([], 'openai'))).toBe('tools.openai.2026-12-05.jsonl would be empty: no entry is in it (check the scope, review states and split).');
	});
});

describe('OpenAI record', () => {
	const messages = toolEntry('a').messages;
	it('writes tools stored as JSON text as the list, an empty column as none, and parallel_tool_calls', () => {
		expect(entryToOpenAiRecord(entryOf(messages, { extra: { tools: '[{"name": "f"}]', parallel_tool_calls: false } }))).toEqual({
			messages,
			tools: [{ type: 'function', function: { name: 'f' } }],
			parallel_tool_calls: false
		});
		expect(entryToOpenAiRecord(entryOf(messages, { extra: { tools: '' } }))).toEqual({ messages });
	});
});
