import { describe, expect, it } from 'vitest';
import { importFixture, importInChunks, noteTexts } from '../test-utils';
import { PARALLEL_RESULTS_SEPARATOR } from './tool-calls';

const weather = (city: string) => ({ name: 'get_weather', arguments: JSON.stringify({ city }) });

describe('LLaMA-Factory ShareGPT with tools (glaive_toolcall shape)', () => {
	const { entries, report } = importFixture('llamafactory/glaive-toolcall.json');

	it('imports every record as sharegpt', () => {
		expect(report.errors).toEqual([]);
		expect(report.formats).toEqual({ sharegpt: 4 });
	});

	it('turns function_call into tool_calls and links the observation', () => {
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'Hi, I have chicken, bell peppers and rice. Can you find me a recipe?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_recipes', arguments: '{"ingredients":["chicken","bell peppers","rice"]}' } }]
			},
			{ role: 'tool', content: '{"recipes": [{"name": "Chicken and Bell Pepper Stir Fry"}]}', tool_call_id: 'call_1' },
			{ role: 'assistant', content: 'I found one: Chicken and Bell Pepper Stir Fry. Want the steps?' },
			{ role: 'user', content: 'Can you order the ingredients for me?' },
			{ role: 'assistant', content: "I'm sorry, I can't place orders; I can only search recipes." }
		]);
		expect(entries[0].extra).toEqual({
			tools: [
				{
					type: 'function',
					function: {
						name: 'search_recipes',
						description: 'Search for recipes based on ingredients',
						parameters: { type: 'object', properties: { ingredients: { type: 'array', items: { type: 'string' }, description: 'The ingredients to search for' } }, required: ['ingredients'] }
					}
				}
			]
		});
	});

	it('splits the joined results of parallel calls, one tool message per call', () => {
		expect(entries[1].messages).toEqual([
			{ role: 'system', content: 'You are a weather assistant with access to tools.' },
			{ role: 'user', content: 'What is the weather in Oslo and in Bergen?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [
					{ id: 'call_1', type: 'function', function: weather('Oslo') },
					{ id: 'call_2', type: 'function', function: weather('Bergen') }
				]
			},
			{ role: 'tool', content: '{"city": "Oslo", "temp_c": 4}', tool_call_id: 'call_1' },
			{ role: 'tool', content: '{"city": "Bergen", "temp_c": 7, "rain_mm": 12}', tool_call_id: 'call_2' },
			{ role: 'assistant', content: 'Oslo is 4 °C and dry; Bergen is 7 °C with 12 mm of rain.' }
		]);
	});

	it('keeps an empty tools column as it was (no tools)', () => {
		expect(entries[3].extra).toEqual({ tools: '' });
	});

	it('notes each conversion', () => {
		expect(noteTexts(report)).toEqual(
			expect.arrayContaining([
				'function_call turn converted to an assistant tool call (id generated)',
				'function_call turn with parallel calls converted to assistant tool_calls',
				'observation answering parallel calls split into one tool message per call',
				'tools column given as JSON text: parsed into the tools list',
				'plain function definitions in tools wrapped as OpenAI {type: "function", function}'
			])
		);
	});

	it('keeps a call that is not JSON as assistant text, and an unanswerable observation unlinked', () => {
		const { entries: bad, report: badReport } = importInChunks(
			'{"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": "get_weather(Oslo)"}, {"from": "observation", "value": "4"}, {"from": "gpt", "value": "a"}]}'
		);
		expect(bad[0].messages).toEqual([
			{ role: 'user', content: 'q' },
			{ role: 'assistant', content: 'get_weather(Oslo)' },
			{ role: 'tool', content: '4' },
			{ role: 'assistant', content: 'a' }
		]);
		expect(noteTexts(badReport)).toContain('function_call turn that is not JSON of {name, arguments}: kept as assistant text');
	});

	it('links one observation per call when a file writes them one by one, and the first call when they cannot be told apart', () => {
		const calls = '[{"name": "f", "arguments": {}}, {"name": "g", "arguments": {}}]';
		const { entries: split } = importInChunks(
			[
				`{"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": ${JSON.stringify(calls)}}, {"from": "observation", "value": "1"}, {"from": "observation", "value": "2"}, {"from": "gpt", "value": "a"}]}`,
				`{"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": ${JSON.stringify(calls)}}, {"from": "observation", "value": "both"}, {"from": "gpt", "value": "a"}]}`
			].join('\n')
		);
		expect(split[0].messages.slice(2, 4)).toEqual([
			{ role: 'tool', content: '1', tool_call_id: 'call_1' },
			{ role: 'tool', content: '2', tool_call_id: 'call_2' }
		]);
		expect(split[1].messages[2]).toEqual({ role: 'tool', content: 'both', tool_call_id: 'call_1' });
	});
});

describe('LLaMA-Factory typed content parts (v1 messages)', () => {
	const { entries, report } = importFixture('llamafactory/v1-messages.jsonl');
	const tools = [
		{ type: 'function', function: { name: 'get_movie_details', description: 'Get details of a movie', parameters: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } },
		{
			type: 'function',
			function: { name: 'get_showtimes', description: 'Showtimes of a movie in a city', parameters: { type: 'object', properties: { title: { type: 'string' }, city: { type: 'string' } }, required: ['title', 'city'] } }
		}
	];

	it('recognises the shape by its {type, value} parts', () => {
		expect(report.errors).toEqual([]);
		expect(report.formats).toEqual({ llamafactory: 4 });
	});

	it('reads reasoning as a think block, tool_call parts as tool_calls, tool messages as linked results', () => {
		expect(entries[0].messages).toEqual([
			{ role: 'system', content: 'You are a methodical assistant. Use the tools when they help.' },
			{ role: 'user', content: 'Can you tell me about the movie "Inception"?' },
			{
				role: 'assistant',
				content: '<think>The user wants movie details; get_movie_details takes a title.</think>',
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_movie_details', arguments: '{"title":"Inception"}' } }]
			},
			{ role: 'tool', content: '{"title": "Inception", "director": "Christopher Nolan", "release_year": 2010}', tool_call_id: 'call_1' },
			{ role: 'assistant', content: '<think>Summarise director and year.</think>"Inception" (2010) was directed by Christopher Nolan.' }
		]);
		expect(entries[0].extra).toEqual({ tools });
	});

	it('reads parallel tool_call parts, drops default loss weights', () => {
		expect(entries[1].messages).toEqual([
			{ role: 'user', content: 'Where can I see Inception in Oslo, and what is it about?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [
					{ id: 'call_1', type: 'function', function: { name: 'get_showtimes', arguments: '{"title":"Inception","city":"Oslo"}' } },
					{ id: 'call_2', type: 'function', function: { name: 'get_movie_details', arguments: '{"title":"Inception"}' } }
				]
			},
			{ role: 'tool', content: '{"showtimes": ["18:00", "21:15"]}', tool_call_id: 'call_1' },
			{ role: 'tool', content: '{"title": "Inception", "genre": "Science fiction"}', tool_call_id: 'call_2' },
			{ role: 'assistant', content: 'Inception, a science-fiction film, plays in Oslo at 18:00 and 21:15.' }
		]);
	});

	it('turns media parts into tokens and the images column', () => {
		expect(entries[3].messages.map((m) => m.content)).toEqual([
			'<image>Who are they?',
			"They're Kane and Gretzka from Bayern Munich.",
			'What are they doing?<image>',
			'They are celebrating on the soccer field.'
		]);
		expect(entries[3].extra).toEqual({ images: ['data/mllm_demo_data/1.jpg', 'data/mllm_demo_data/1.jpg'] });
	});

	it('keeps a non-default loss weight, maps an assistant weight 0 to OpenAI weight', () => {
		const { entries: weighted } = importInChunks(
			'{"messages": [{"role": "user", "content": [{"type": "text", "value": "q"}], "loss_weight": 0.5}, {"role": "assistant", "content": [{"type": "text", "value": "a"}], "loss_weight": 0}]}'
		);
		expect(weighted[0].messages).toEqual([
			{ role: 'user', content: 'q', loss_weight: 0.5 },
			{ role: 'assistant', content: 'a', weight: 0 }
		]);
	});

	it('refuses unknown part types and broken tool calls with the place', () => {
		const { report: bad } = importInChunks(
			[
				'{"messages": [{"role": "user", "content": [{"type": "text", "value": "q"}, {"type": "html", "value": "<b>"}]}]}',
				'{"messages": [{"role": "assistant", "content": [{"type": "tool_call", "value": "f(x)"}]}]}'
			].join('\n')
		);
		expect(bad.errors.map((e) => e.reason)).toEqual([
			'messages[0].content[1] has part type "html"; LLaMA-Factory knows text, reasoning, tool_call, image_url, video_url and audio_url',
			'messages[0].content[0]: the tool_call value is not JSON of {name, arguments}'
		]);
	});

	it('leaves OpenAI {type, text} parts to the OpenAI adapter', () => {
		const { report: openai } = importInChunks('{"messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}, {"role": "assistant", "content": "a"}]}');
		expect(openai.formats).toEqual({ openai: 1 });
	});
});

describe('media columns', () => {
	const { entries, report } = importFixture('llamafactory/mllm-columns.jsonl');

	it('keeps images, videos and audios as metadata and reports them', () => {
		expect(report.errors).toEqual([]);
		expect(entries.map((e) => e.extra)).toEqual([
			{ images: ['mllm_demo_data/1.jpg', 'mllm_demo_data/1.jpg'] },
			{ videos: ['mllm_demo_data/1.mp4'] },
			{ audios: ['mllm_demo_data/1.mp3'] },
			{ images: ['mllm_demo_data/2.jpg'] }
		]);
		const notes = Object.fromEntries(report.notes.map((n) => [n.text, n.count]));
		expect(notes['media column "images" kept as metadata (written back by the Skein, ShareGPT and Alpaca exports)']).toBe(2);
		expect(notes['media column "videos" kept as metadata (written back by the Skein, ShareGPT and Alpaca exports)']).toBe(1);
		expect(notes['media column "audios" kept as metadata (written back by the Skein, ShareGPT and Alpaca exports)']).toBe(1);
	});
});

describe('OpenAI with tools and parallel calls', () => {
	it('imports as it is, parallel_tool_calls kept', () => {
		const { entries, report } = importFixture('llamafactory/openai-parallel.jsonl');
		expect(report.formats).toEqual({ openai: 2 });
		expect(entries[0].extra.parallel_tool_calls).toBe(true);
		expect(entries[1].extra.parallel_tool_calls).toBe(false);
		expect(entries[0].messages[2].tool_calls).toHaveLength(2);
	});

	it('parses a tools column given as JSON text (LLaMA-Factory openai style)', () => {
		const { entries } = importInChunks('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "tools": "[{\\"name\\": \\"f\\", \\"parameters\\": {}}]"}');
		expect(entries[0].extra.tools).toEqual([{ type: 'function', function: { name: 'f', parameters: {} } }]);
	});

	it('uses the separator LLaMA-Factory joins parallel results with', () => {
		expect(PARALLEL_RESULTS_SEPARATOR).toBe('\n</tool_response>\n<tool_response>\n');
	});
});
