/**
 * Issue 17, "what done looks like": each trainer shape (LLaMA-Factory ShareGPT with tools, the
 * v1 typed-parts messages, media columns, OpenAI with tools and parallel calls) imports to the
 * internal form and exports to files the trainers accept — checked by validators written from each
 * project's documented rules (`test-trainer-validators.ts`) — and export → import → export is
 * identical for every format that can express the data.
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { fixtureText, importFixture } from '../test-utils';
import { reimport } from './test-entries';
import { writeEntry } from './writers';
import type { ExportFileFormat } from './serialize';
import { applyTransforms } from './transforms';
import { llamaFactoryAlpacaProblems, llamaFactoryShareGptProblems, openAiChatProblems } from './test-trainer-validators';
import { BUILTIN_PROFILES } from '../validation/profiles';
import { validateEntry } from '../validation/validate';
import { LOSS_REASONING_BEFORE_CALL, LOSS_TOOL_CALL_IDS } from './write-sharegpt';

const VALIDATORS: Partial<Record<ExportFileFormat, (record: unknown) => string[]>> = {
	openai: openAiChatProblems,
	sharegpt: llamaFactoryShareGptProblems,
	alpaca: llamaFactoryAlpacaProblems
};

interface Exported {
	lines: string[];
	skipped: { id: string; code: string }[];
	losses: Set<string>;
}

function exportAll(entries: readonly Entry[], format: ExportFileFormat): Exported {
	const out: Exported = { lines: [], skipped: [], losses: new Set() };
	for (const entry of entries) {
		const outcome = writeEntry(entry, format);
		if (outcome.kind === 'skipped') out.skipped.push({ id: entry.id, code: outcome.reason.code });
		else {
			out.lines.push(...outcome.lines);
			for (const loss of outcome.losses) out.losses.add(loss);
		}
	}
	return out;
}

/** Every line passes the trainer's validator, and a re-import exports to the very same lines. */
function expectAcceptedAndStable(entries: readonly Entry[], format: ExportFileFormat): Exported {
	const first = exportAll(entries, format);
	expect(first.lines.length).toBeGreaterThan(0);
	const validator = VALIDATORS[format];
	if (validator) for (const line of first.lines) expect(validator(JSON.parse(line)), line).toEqual([]);
	const back = reimport(first.lines);
	expect(back.report.errors).toEqual([]);
	expect(exportAll(back.entries, format).lines).toEqual(first.lines);
	return first;
}

function openAiErrors(entries: readonly Entry[]): string[] {
	return entries.flatMap((entry) => validateEntry(entry, BUILTIN_PROFILES['openai-chat']).filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`));
}

describe('LLaMA-Factory ShareGPT with tools', () => {
	const { entries } = importFixture('llamafactory/glaive-toolcall.json');

	it('shows no errors under openai-chat or sharegpt', () => {
		expect(openAiErrors(entries)).toEqual([]);
		const shareGpt = entries.flatMap((entry) => validateEntry(entry, BUILTIN_PROFILES.sharegpt).filter((f) => f.severity === 'error'));
		expect(shareGpt).toEqual([]);
	});

	it('exports valid OpenAI lines: tools as a list, results linked to calls', () => {
		const { lines } = expectAcceptedAndStable(entries, 'openai');
		expect(lines).toHaveLength(4);
		const second = JSON.parse(lines[1]) as { tools: unknown; messages: { tool_call_id?: string }[] };
		expect(Array.isArray(second.tools)).toBe(true);
		expect(second.messages.map((m) => m.tool_call_id).filter(Boolean)).toEqual(['call_1', 'call_2']);
		// The empty tools column means no tools: nothing written.
		expect(Object.keys(JSON.parse(lines[3]) as object)).toEqual(['messages']);
	});

	it('exports ShareGPT exactly as LLaMA-Factory reads it', () => {
		const { lines, losses } = expectAcceptedAndStable(entries, 'sharegpt');
		expect(losses).toEqual(new Set());
		expect(JSON.parse(lines[1])).toEqual({
			conversations: [
				{ from: 'system', value: 'You are a weather assistant with access to tools.' },
				{ from: 'human', value: 'What is the weather in Oslo and in Bergen?' },
				{ from: 'function_call', value: '[{"name":"get_weather","arguments":{"city":"Oslo"}},{"name":"get_weather","arguments":{"city":"Bergen"}}]' },
				{ from: 'observation', value: '{"city": "Oslo", "temp_c": 4}\n</tool_response>\n<tool_response>\n{"city": "Bergen", "temp_c": 7, "rain_mm": 12}' },
				{ from: 'gpt', value: 'Oslo is 4 °C and dry; Bergen is 7 °C with 12 mm of rain.' }
			],
			tools: '[{"name":"get_weather","description":"Current weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]'
		});
		expect(JSON.parse(lines[3])).toMatchObject({ tools: '' });
	});

	it('re-imports the OpenAI export to the same entries', () => {
		const back = reimport(exportAll(entries, 'openai').lines).entries;
		expect(back.map((e) => e.messages)).toEqual(entries.map((e) => e.messages));
	});

	it('skips tool conversations in Alpaca with the reason, and writes the others', () => {
		const alpaca = expectAcceptedAndStable(entries, 'alpaca');
		expect(alpaca.skipped.map((s) => s.code)).toEqual(['tool-turns', 'tool-turns', 'tool-turns']);
		expect(alpaca.lines).toHaveLength(1);
	});
});

describe('LLaMA-Factory typed content parts', () => {
	const { entries } = importFixture('llamafactory/v1-messages.jsonl');

	it('shows no errors under openai-chat', () => {
		expect(openAiErrors(entries)).toEqual([]);
	});

	it('exports valid OpenAI lines for every entry', () => {
		expect(expectAcceptedAndStable(entries, 'openai').lines).toHaveLength(4);
	});

	it('exports ShareGPT for every entry, dropping only reasoning that sat beside a call (counted)', () => {
		const shareGpt = expectAcceptedAndStable(entries, 'sharegpt');
		expect(shareGpt.skipped).toEqual([]);
		expect(shareGpt.losses).toEqual(new Set([LOSS_REASONING_BEFORE_CALL]));
		const multimodal = JSON.parse(shareGpt.lines[3]) as { images: string[] };
		expect(multimodal.images).toEqual(['data/mllm_demo_data/1.jpg', 'data/mllm_demo_data/1.jpg']);
	});

	it('exports Alpaca for the entries without tools, media columns included', () => {
		const alpaca = expectAcceptedAndStable(entries, 'alpaca');
		expect(alpaca.lines).toHaveLength(2);
		expect(JSON.parse(alpaca.lines[1])).toEqual({
			instruction: 'What are they doing?<image>',
			input: '',
			output: 'They are celebrating on the soccer field.',
			history: [['<image>Who are they?', "They're Kane and Gretzka from Bayern Munich."]],
			images: ['data/mllm_demo_data/1.jpg', 'data/mllm_demo_data/1.jpg']
		});
	});

	it('follows the think policy: strip removes the reasoning from every export', () => {
		const stripped = entries.map((entry) => {
			const outcome = applyTransforms(entry, { think: 'strip' });
			if (outcome.kind !== 'kept') throw new Error('skipped');
			return outcome.entry;
		});
		const { lines } = expectAcceptedAndStable(stripped, 'openai');
		expect(lines.join('\n')).not.toContain('<think>');
		expect(expectAcceptedAndStable(stripped, 'sharegpt').losses).toEqual(new Set());
	});
});

describe('media columns', () => {
	const { entries } = importFixture('llamafactory/mllm-columns.jsonl');
	const matching = entries.slice(0, 3);

	it('writes them back in Skein, ShareGPT and Alpaca exports', () => {
		const shareGpt = expectAcceptedAndStable(matching, 'sharegpt');
		expect(shareGpt.lines.map((line) => Object.keys(JSON.parse(line) as object).filter((k) => k !== 'conversations'))).toEqual([['images'], ['videos'], ['audios']]);
		const alpaca = expectAcceptedAndStable(matching, 'alpaca');
		expect(alpaca.lines.map((line) => (JSON.parse(line) as { images?: unknown; videos?: unknown; audios?: unknown }))).toMatchObject([{ images: ['mllm_demo_data/1.jpg', 'mllm_demo_data/1.jpg'] }, { videos: ['mllm_demo_data/1.mp4'] }, { audios: ['mllm_demo_data/1.mp3'] }]);
		const skein = exportAll(matching, 'skein');
		expect(reimport(skein.lines).entries.map((e) => e.extra)).toEqual(matching.map((e) => e.extra));
	});

	it('counts them as lost in OpenAI exports instead of dropping them silently', () => {
		expect(exportAll(matching, 'openai').losses).toEqual(new Set(['media column "images" dropped', 'media column "videos" dropped', 'media column "audios" dropped']));
	});

	it('flags the entry whose tokens and files disagree, which LLaMA-Factory would refuse', () => {
		const findings = entries.map((entry) => validateEntry(entry, BUILTIN_PROFILES['openai-chat']).filter((f) => f.rule === 'media-count-mismatch').map((f) => f.message));
		expect(findings).toEqual([[], [], [], ['The "images" column lists 1 file but the text has 2 <image> tokens.']]);
		const [line] = exportAll([entries[3]], 'sharegpt').lines;
		expect(llamaFactoryShareGptProblems(JSON.parse(line))).toEqual(['1 images but 2 <image> tokens']);
	});
});

describe('OpenAI with tools and parallel calls', () => {
	const { entries } = importFixture('llamafactory/openai-parallel.jsonl');

	it('exports the file as it was: tools, parallel_tool_calls, ids and links', () => {
		const { lines } = expectAcceptedAndStable(entries, 'openai');
		const original = fixtureText('llamafactory/openai-parallel.jsonl').trimEnd().split('\n').map((line) => JSON.stringify(JSON.parse(line)));
		expect(lines).toEqual(original);
		expect((JSON.parse(lines[0]) as { parallel_tool_calls: boolean }).parallel_tool_calls).toBe(true);
		expect((JSON.parse(lines[1]) as { parallel_tool_calls: boolean }).parallel_tool_calls).toBe(false);
	});

	it('exports ShareGPT with the parallel results joined, and counts the ids it cannot keep', () => {
		const shareGpt = expectAcceptedAndStable(entries, 'sharegpt');
		expect(shareGpt.losses).toEqual(new Set([LOSS_TOOL_CALL_IDS]));
		const turns = (JSON.parse(shareGpt.lines[0]) as { conversations: { from: string }[] }).conversations.map((t) => t.from);
		expect(turns).toEqual(['system', 'human', 'function_call', 'observation', 'gpt']);
	});

	it('shows no errors under openai-chat', () => {
		expect(openAiErrors(entries)).toEqual([]);
	});
});

describe('the trainer validators catch what they are written for', () => {
	it('LLaMA-Factory ShareGPT: role order, odd counts, call JSON, tools text', () => {
		expect(llamaFactoryShareGptProblems({ conversations: [{ from: 'gpt', value: 'a' }, { from: 'human', value: 'q' }] })).toEqual([
			'turn 0 is "gpt" where human or observation must be',
			'turn 1 is "human" where gpt or function_call must be'
		]);
		expect(llamaFactoryShareGptProblems({ conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: 'f()' }, { from: 'observation', value: '1' }] })).toEqual([
			'turn 1: function_call is not JSON',
			'odd number of turns (3) after the system turn: LLaMA-Factory drops it'
		]);
		expect(llamaFactoryShareGptProblems({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: [] })).toEqual(['tools is not JSON text']);
	});

	it('OpenAI: keys, tool links, tools shape, weight', () => {
		expect(
			openAiChatProblems({
				messages: [
					{ role: 'user', content: 'q' },
					{ role: 'tool', content: '1', tool_call_id: 'x' },
					{ role: 'assistant', content: 'a', weight: 2 }
				],
				tools: '[]',
				id: 'x'
			})
		).toEqual(['unknown top-level key "id"', 'message 1 (tool) answers no earlier call', 'message 2 weight is not 0 or 1', 'tools is not a list']);
	});
});
