import { describe, expect, it } from 'vitest';
import { importFixture, importInChunks, noteTexts } from '../test-utils';

describe('ShareGPT', () => {
	const { entries, report } = importFixture('sharegpt-variants.jsonl');

	it('imports every variant', () => {
		expect(report.errors).toEqual([]);
		expect(entries.length).toBe(9);
		// The chosen / rejected record is LLaMA-Factory ranking data (issue 16), no longer a chat.
		expect(report.formats).toEqual({ sharegpt: 8, 'llamafactory-ranking': 1 });
	});

	it('maps human/gpt/system and keeps id in extra', () => {
		expect(entries[0].messages).toEqual([
			{ role: 'system', content: 'You are a terse assistant.' },
			{ role: 'user', content: 'What is the capital of France?' },
			{ role: 'assistant', content: 'Paris.' }
		]);
		expect(entries[0].extra).toEqual({ id: 'sg-1' });
	});

	it('accepts capitalised and padded names, user/assistant, input/output', () => {
		expect(entries[1].messages.map((m) => m.role)).toEqual(['user', 'assistant']);
		expect(entries[2].messages.map((m) => m.role)).toEqual(['user', 'assistant']);
		expect(entries[3].messages.map((m) => m.role)).toEqual(['user', 'assistant']);
	});

	it('keeps per-turn keys such as weight', () => {
		expect(entries[2].messages[1]).toEqual({ role: 'assistant', content: 'A cat sat.', weight: 1 });
	});

	it('reads pygmalion {role, value} and {from, content} turns', () => {
		expect(entries[4].messages).toEqual([
			{ role: 'user', content: 'Tell me a story.' },
			{ role: 'assistant', content: 'Once upon a time…' }
		]);
		expect(entries[5].messages[1]).toEqual({ role: 'assistant', content: 'Pong' });
	});

	it('moves the system column to a leading message, links function_call/observation, parses tools', () => {
		const entry = entries[6];
		expect(entry.messages).toEqual([
			{ role: 'system', content: 'You can call tools.' },
			{ role: 'user', content: 'Weather in Oslo?' },
			{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
			{ role: 'tool', content: '{"temp": -3}', tool_call_id: 'call_1' },
			{ role: 'assistant', content: 'It is -3 °C in Oslo.' }
		]);
		expect(entry.extra).toEqual({ tools: [{ type: 'function', function: { name: 'get_weather', parameters: { city: 'string' } } }] });
	});

	it('keeps custom speaker names as roles', () => {
		expect(entries[7].messages[0]).toEqual({ role: 'Narrator', content: 'The tavern falls silent.' });
	});

	it('reads chosen / rejected turns as a preference pair (issue 16)', () => {
		expect(entries[8].messages).toEqual([{ role: 'user', content: 'Which is better?' }]);
		expect(entries[8].extra).toEqual({});
		expect(entries[8].preference).toEqual({
			kind: 'pair',
			chosen: [{ role: 'assistant', content: 'A careful answer.' }],
			rejected: [{ role: 'assistant', content: 'A sloppy answer.' }],
			origin: 'import'
		});
	});

	it('lists every conversion as a counted note', () => {
		const notes = Object.fromEntries(report.notes.map((n) => [n.text, [n.count, n.line]]));
		expect(notes).toMatchObject({
			'ShareGPT speaker mapped: human → user': [5, 1],
			'ShareGPT speaker mapped: gpt → assistant': [5, 1],
			'ShareGPT speaker mapped: Human → user': [1, 2],
			'ShareGPT speaker mapped: " GPT " → assistant': [1, 2],
			'ShareGPT speaker mapped: input → user': [1, 4],
			'ShareGPT speaker mapped: output → assistant': [1, 4],
			'turns use "role"/"value" keys instead of "from"/"value"': [1, 5],
			'turns use "from"/"content" keys instead of "from"/"value"': [1, 6],
			'ShareGPT system column moved to a leading system message': [1, 7],
			'function_call turn converted to an assistant tool call (id generated)': [1, 7],
			'observation turn linked to its function_call as a tool message (tool_call_id)': [1, 7],
			'tools column given as JSON text: parsed into the tools list': [1, 7],
			'custom speaker name kept as role: Narrator': [1, 8],
			'LLaMA-Factory ShareGPT ranking record read as a prompt with chosen / rejected answers': [1, 9]
		});
	});

	it('rejects bad conversations with a reason', () => {
		const { report } = importInChunks(
			[
				'{"conversations": "nope"}',
				'{"conversations": [1]}',
				'{"conversations": [{"value": "no speaker"}]}',
				'{"conversations": [{"from": "  ", "value": "blank speaker"}]}'
			].join('\n')
		);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'conversations must be a list',
			'conversations[0] is not a turn object',
			'conversations[0] has no speaker ("from" or "role")',
			'conversations[0] has no speaker ("from" or "role")'
		]);
	});

	it('converts non-text values and missing text, with notes', () => {
		const { entries, report } = importInChunks(
			'{"conversations": [{"from": "human", "value": 42}, {"from": "gpt"}, {"from": "gpt", "value": null}, {"from": "gpt", "value": [{"type": "text", "text": "x"}]}]}'
		);
		expect(entries[0].messages.map((m) => m.content)).toEqual(['42', '', null, [{ type: 'text', text: 'x' }]]);
		expect(noteTexts(report)).toEqual(
			expect.arrayContaining([
				'non-text turn value converted to text (JSON)',
				'turn without text ("value" or "content"): content left empty',
				'structured content parts kept'
			])
		);
	});
});

describe('ShareGPT pairs (ms-swift)', () => {
	it('expands {human, assistant} pairs after the system prompt', () => {
		const { entries, report } = importFixture('sharegpt-pairs.jsonl');
		expect(entries[0].messages).toEqual([
			{ role: 'system', content: 'You are a helpful assistant.' },
			{ role: 'user', content: 'Hello' },
			{ role: 'assistant', content: 'Hi there!' },
			{ role: 'user', content: "What's 3*3?" },
			{ role: 'assistant', content: '9' }
		]);
		expect(entries[0].extra).toEqual({});
		expect(report.formats).toEqual({ 'sharegpt-pairs': 1 });
	});

	it('accepts a last pair without an answer and rejects non-pairs', () => {
		const { entries, report } = importInChunks('{"conversation": [{"human": "a", "assistant": "b"}, {"human": "c"}]}\n{"conversation": [{"x": 1}]}\n{"conversation": [3]}');
		expect(entries[0].messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'conversation[0] has neither "human" nor "assistant"',
			'conversation[0] is not a {human, assistant} pair'
		]);
	});
});

describe('bare turn lists', () => {
	it('imports each list of turns in a JSON array as one conversation', () => {
		const { entries, report } = importFixture('turn-list.json');
		expect(report.container).toBe('json-array');
		expect(report.formats).toEqual({ 'turn-list': 2 });
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'Name a prime.' },
			{ role: 'assistant', content: '7' }
		]);
		expect(entries[1].messages[1]).toEqual({ role: 'assistant', content: 'Teal' });
		expect(entries.map((e) => e.meta.source?.line)).toEqual([2, 6]);
	});

	it('reads a turn list on a JSON Lines line, and rejects other lists', () => {
		const { entries, report } = importInChunks('[{"from": "human", "value": "a"}]\n[1, 2]\n[]');
		expect(entries.length).toBe(1);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'not an object (a list, but not a list of turns)',
			'not an object (a list, but not a list of turns)'
		]);
	});
});
