import { describe, expect, it } from 'vitest';
import type { Message } from '../model';
import { entryToLine, EXPORT_FILE_FORMATS } from './serialize';
import { lossNotes, writeEntry } from './writers';
import type { WriteOutcome } from './write-outcome';
import { LOSS_TOOL_CALL_IDS, LOSS_TOOLS_AS_TEXT } from './write-sharegpt';
import { LOSS_CONTEXT, LOSS_SYSTEM, LOSS_UNPAIRED } from './write-prompt-response';
import { entryOf, fixtureEntry, reimport } from './test-entries';

function linesOf(outcome: WriteOutcome): unknown[] {
	if (outcome.kind !== 'written') throw new Error(`skipped: ${outcome.reason.code}: ${outcome.reason.message}`);
	return outcome.lines.map((line) => JSON.parse(line));
}

function skipCode(outcome: WriteOutcome): string {
	if (outcome.kind !== 'skipped') throw new Error('written, expected a skip');
	return outcome.reason.code;
}

describe('openai', () => {
	const tools = fixtureEntry('tool-weather');

	it('minimal is exactly entryToLine', () => {
		const outcome = writeEntry(tools, 'openai');
		expect(outcome).toEqual({ kind: 'written', lines: [entryToLine(tools, 'openai')], losses: [] });
	});

	it('with metadata adds id and metadata, and re-imports as OpenAI with them in extra', () => {
		const rp = fixtureEntry('rp-tavern');
		const [record] = linesOf(writeEntry(rp, 'openai', { openAiMetadata: true }));
		expect(record).toEqual({
			messages: rp.messages,
			id: 'rp-tavern',
			metadata: { tags: ['roleplay', 'fantasy'], review: 'accepted', characters: { assistant: 'Mira', user: 'Tomas' } }
		});
		const { entries } = reimport([JSON.stringify(record)]);
		expect(entries[0].messages).toEqual(rp.messages);
		expect(entries[0].extra).toEqual({ id: 'rp-tavern', metadata: (record as { metadata: unknown }).metadata });
	});

	it('annotated (with metadata) carries a generated entry\'s provenance; minimal never does', () => {
		const provenance = { kind: 'generation', runId: 'run-1', recipeId: 'chunked', recordId: 'c1', steps: [{ stepIndex: 0, model: 'qwen2.5-1.5b' }] };
		const generated = entryOf(
			[
				{ role: 'user', content: 'What do you keep in the oilcloth tubes?' },
				{ role: 'assistant', content: 'My charts. Salt ruins paper faster than any storm.' }
			],
			{ id: 'g1', tags: ['generated', 'chunked'], meta: { review: 'accepted', provenance } }
		);
		const [annotated] = linesOf(writeEntry(generated, 'openai', { openAiMetadata: true }));
		expect((annotated as { metadata: { provenance: unknown } }).metadata.provenance).toEqual(provenance);
		const [minimal] = linesOf(writeEntry(generated, 'openai'));
		expect(minimal).toEqual({ messages: generated.messages });
	});

	it('never skips, custom roles included', () => {
		expect(writeEntry(fixtureEntry('rp-narrator'), 'openai').kind).toBe('written');
	});
});

describe('sharegpt (LLaMA-Factory variant)', () => {
	it('writes a roleplay with its system prompt as from/value turns', () => {
		const [record] = linesOf(writeEntry(fixtureEntry('rp-tavern'), 'sharegpt'));
		const turns = (record as { conversations: { from: string }[] }).conversations;
		expect(turns.map((t) => t.from)).toEqual(['system', 'human', 'gpt', 'human', 'gpt']);
		expect(Object.keys(record as object)).toEqual(['conversations']);
	});

	it('writes tool calls as function_call / observation turns and tools as JSON text', () => {
		const outcome = writeEntry(fixtureEntry('tool-weather'), 'sharegpt');
		expect(linesOf(outcome)[0]).toEqual({
			conversations: [
				{ from: 'system', value: 'You are a weather assistant. Use the tools.' },
				{ from: 'human', value: 'Do I need an umbrella in Oslo today?' },
				{ from: 'function_call', value: '{"name":"get_weather","arguments":{"city":"Oslo"}}' },
				{ from: 'observation', value: '{"rain_mm": 4, "temp_c": 6}' },
				{ from: 'gpt', value: 'Yes: 4 mm of rain is expected and it is 6 °C. Take an umbrella.' }
			],
			tools: '[{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]'
		});
		// call_1 and the wrapped tools list are exactly what re-importing gives back: nothing is lost.
		expect(outcome.kind === 'written' && outcome.losses).toEqual([]);
	});

	it('counts call ids and tools that would read back differently as losses', () => {
		const original = fixtureEntry('tool-weather');
		const messages = original.messages.map((m) =>
			m.tool_calls !== undefined ? { ...m, tool_calls: [{ ...(m.tool_calls as object[])[0], id: 'call_abc' }] } : m.role === 'tool' ? { ...m, tool_call_id: 'call_abc' } : m
		);
		const outcome = writeEntry({ ...original, messages, extra: { tools: [{ type: 'function', function: { name: 'f' }, strict: true }] } }, 'sharegpt');
		expect(outcome.kind === 'written' && outcome.losses).toEqual([LOSS_TOOLS_AS_TEXT, LOSS_TOOL_CALL_IDS]);
	});

	it('re-imports a tool conversation exactly: calls, links and the tools list come back', () => {
		const original = fixtureEntry('tool-weather');
		const outcome = writeEntry(original, 'sharegpt');
		const { entries, report } = reimport(outcome.kind === 'written' ? outcome.lines : []);
		expect(report.errors).toEqual([]);
		const expected = original.messages.map((m) =>
			m.tool_calls !== undefined ? { ...m, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] } : m
		);
		expect(entries[0].messages).toEqual(expected);
		expect(entries[0].extra.tools).toEqual(original.extra.tools);
	});

	it('writes parallel calls as a list', () => {
		const entry = entryOf([
			{ role: 'user', content: 'Both cities?' },
			{
				role: 'assistant',
				content: '',
				tool_calls: [
					{ id: 'a', type: 'function', function: { name: 'w', arguments: '{"city":"A"}' } },
					{ id: 'b', type: 'function', function: { name: 'w', arguments: 'not json' } }
				]
			}
		]);
		const [record] = linesOf(writeEntry(entry, 'sharegpt'));
		const value = (record as { conversations: { value: string }[] }).conversations[1].value;
		expect(JSON.parse(value)).toEqual([
			{ name: 'w', arguments: { city: 'A' } },
			{ name: 'w', arguments: 'not json' }
		]);
	});

	it('keeps name and weight on the turns, where the importer reads them back', () => {
		const plain = fixtureEntry('plain-capital');
		const outcome = writeEntry(plain, 'sharegpt');
		expect(linesOf(outcome)[0]).toEqual({
			conversations: [
				{ from: 'human', value: 'What is the capital of Norway?', name: 'alice' },
				{ from: 'gpt', value: 'Oslo.', weight: 1 }
			]
		});
		expect(reimport(outcome.kind === 'written' ? outcome.lines : []).entries[0].messages).toEqual(plain.messages);
	});

	it('reports what it cannot express', () => {
		expect(skipCode(writeEntry(fixtureEntry('rp-narrator'), 'sharegpt'))).toBe('custom-role');
		expect(skipCode(writeEntry(entryOf([{ role: 'user', content: [{ type: 'text', text: 'x' }] }]), 'sharegpt'))).toBe('structured-content');
		const both = entryOf([{ role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'a', type: 'function', function: { name: 'w', arguments: '{}' } }] }]);
		expect(skipCode(writeEntry(both, 'sharegpt'))).toBe('tool-call-with-text');
		expect(skipCode(writeEntry(entryOf([{ role: 'assistant', content: null, tool_calls: [{ nope: 1 }] }]), 'sharegpt'))).toBe('tool-call-shape');
		expect(skipCode(writeEntry(entryOf([{ role: 'assistant', content: null }]), 'sharegpt'))).toBe('missing-content');
		expect(skipCode(writeEntry(entryOf([]), 'sharegpt'))).toBe('no-messages');
	});
});

describe('alpaca', () => {
	it('writes a multi-turn roleplay with system and history', () => {
		const [record] = linesOf(writeEntry(fixtureEntry('rp-tavern'), 'alpaca'));
		const rp = fixtureEntry('rp-tavern').messages;
		expect(record).toEqual({
			instruction: rp[3].content,
			input: '',
			output: rp[4].content,
			system: rp[0].content,
			history: [[rp[1].content, rp[2].content]]
		});
	});

	it('writes a single turn without history or system, and counts dropped message keys', () => {
		const outcome = writeEntry(fixtureEntry('plain-capital'), 'alpaca');
		expect(linesOf(outcome)[0]).toEqual({ instruction: 'What is the capital of Norway?', input: '', output: 'Oslo.' });
		expect(outcome.kind === 'written' && outcome.losses).toEqual(['message key "name" dropped', 'message key "weight" dropped']);
	});

	it('reports entries it cannot express instead of mangling them', () => {
		const double = writeEntry(fixtureEntry('rp-double-post'), 'alpaca');
		expect(double).toMatchObject({ kind: 'skipped', reason: { code: 'not-alternating', message: expect.stringContaining('message 3 (user)') } });
		const endsOnUser = entryOf([
			{ role: 'user', content: 'a' },
			{ role: 'assistant', content: 'b' },
			{ role: 'user', content: 'c' }
		]);
		expect(skipCode(writeEntry(endsOnUser, 'alpaca'))).toBe('ends-on-user');
		expect(skipCode(writeEntry(fixtureEntry('tool-weather'), 'alpaca'))).toBe('tool-turns');
		expect(skipCode(writeEntry(fixtureEntry('rp-narrator'), 'alpaca'))).toBe('custom-role');
		const lateSystem = entryOf([
			{ role: 'user', content: 'a' },
			{ role: 'assistant', content: 'b' },
			{ role: 'system', content: 'later' }
		]);
		expect(skipCode(writeEntry(lateSystem, 'alpaca'))).toBe('system-not-leading');
		expect(skipCode(writeEntry(entryOf([{ role: 'system', content: 'only' }]), 'alpaca'))).toBe('no-exchange');
		expect(skipCode(writeEntry(entryOf([{ role: 'assistant', content: 'first' }]), 'alpaca'))).toBe('not-alternating');
	});

	it('re-imports to the same messages', () => {
		const rp = fixtureEntry('rp-tavern');
		const outcome = writeEntry(rp, 'alpaca');
		const { entries, report } = reimport(outcome.kind === 'written' ? outcome.lines : []);
		expect(report.formats).toEqual({ alpaca: 1 });
		expect(entries[0].messages).toEqual(rp.messages);
	});
});

describe('prompt-response', () => {
	it('single-turn writes single exchanges and skips the rest with reasons', () => {
		expect(linesOf(writeEntry(fixtureEntry('identity-who'), 'prompt-response'))).toEqual([
			{ prompt: 'Who are you, really?', response: fixtureEntry('identity-who').messages[1].content }
		]);
		expect(skipCode(writeEntry(fixtureEntry('rp-tavern'), 'prompt-response'))).toBe('has-system');
		expect(skipCode(writeEntry(entryOf(fixtureEntry('rp-tavern').messages.slice(1)), 'prompt-response'))).toBe('multi-turn');
		expect(skipCode(writeEntry(fixtureEntry('tool-weather'), 'prompt-response'))).toBe('has-system');
		expect(skipCode(writeEntry(entryOf([{ role: 'assistant', content: 'a' }, { role: 'user', content: 'b' }]), 'prompt-response'))).toBe('no-exchange');
	});

	it('every-pair writes one line per user → assistant pair and counts the lost context', () => {
		const outcome = writeEntry(fixtureEntry('rp-tavern'), 'prompt-response', { promptResponseMode: 'every-pair' });
		const rp = fixtureEntry('rp-tavern').messages;
		expect(linesOf(outcome)).toEqual([
			{ prompt: rp[1].content, response: rp[2].content },
			{ prompt: rp[3].content, response: rp[4].content }
		]);
		expect(outcome.kind === 'written' && outcome.losses).toEqual([LOSS_SYSTEM, LOSS_CONTEXT]);
		const double = writeEntry(fixtureEntry('rp-double-post'), 'prompt-response', { promptResponseMode: 'every-pair' });
		expect(linesOf(double)).toEqual([{ prompt: 'Hello? Anyone there?', response: '*{{char}} looks up from the ledger.* We\'re closed.' }]);
		expect(double.kind === 'written' && double.losses).toEqual([LOSS_SYSTEM, LOSS_CONTEXT, LOSS_UNPAIRED]);
		expect(skipCode(writeEntry(entryOf([{ role: 'user', content: 'alone' }]), 'prompt-response', { promptResponseMode: 'every-pair' }))).toBe('no-exchange');
	});
});

describe('skein', () => {
	it('is entryToLine', () => {
		const rp = fixtureEntry('rp-tavern');
		expect(writeEntry(rp, 'skein')).toEqual({ kind: 'written', lines: [entryToLine(rp, 'skein')], losses: [] });
	});
});

describe('lossNotes', () => {
	it('names the variant and what is never carried, for every lossy format', () => {
		expect(lossNotes('skein')).toEqual([]);
		for (const format of EXPORT_FILE_FORMATS.filter((f) => f !== 'skein')) expect(lossNotes(format).length).toBeGreaterThan(0);
		expect(lossNotes('sharegpt')[0]).toContain('LLaMA-Factory');
		expect(lossNotes('openai', { openAiMetadata: true })[0]).toContain('metadata');
		expect(lossNotes('prompt-response', { promptResponseMode: 'every-pair' }).join(' ')).toContain('stands alone');
	});
});

describe('openai minimal: only OpenAI message keys', () => {
	const tavern = entryOf(
		[
			{ role: 'user', content: 'Evening, keeper.', name: 'Tom', send_date: 'May 3, 2024 9:01pm', is_user: true },
			{ role: 'assistant', content: 'Shut the door.', swipes: ['Shut the door.', 'Come in.'], swipe_id: 0, weight: 1 },
			{ role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bell', arguments: '{}' } }], markdown: '**x**' }
		] as Message[],
		{ id: 't1' }
	);

	it('drops foreign keys (SillyTavern send_date, swipes; ShareGPT markdown) and reports each as a loss', () => {
		const outcome = writeEntry(tavern, 'openai');
		if (outcome.kind !== 'written') throw new Error('skipped');
		const record = JSON.parse(outcome.lines[0]);
		expect(record.messages).toEqual([
			{ role: 'user', content: 'Evening, keeper.', name: 'Tom' },
			{ role: 'assistant', content: 'Shut the door.', weight: 1 },
			{ role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bell', arguments: '{}' } }] }
		]);
		expect(outcome.losses.sort()).toEqual(['message key "is_user" dropped', 'message key "markdown" dropped', 'message key "send_date" dropped', 'message key "swipe_id" dropped', 'message key "swipes" dropped']);
		expect(lossNotes('openai').join(' ')).toContain('Keep other message keys');
	});

	it('"keep other message keys" writes them all', () => {
		const outcome = writeEntry(tavern, 'openai', { openAiKeepExtras: true });
		if (outcome.kind !== 'written') throw new Error('skipped');
		expect(JSON.parse(outcome.lines[0]).messages).toEqual(tavern.messages);
		expect(outcome.losses).toEqual([]);
	});
});
