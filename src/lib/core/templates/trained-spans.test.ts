import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templateFamily, type FamilyId } from './families';
import { renderChat, type TemplateConversation } from './render';
import { assistantSpans, trainedSpans } from './trained-spans';

const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, TemplateConversation>;
const NOW = new Date(2025, 6, 10);

function spansOf(id: FamilyId, name: string) {
	const spec = templateFamily(id);
	const conversation = conversations[name];
	const text = renderChat(spec.chatTemplate, conversation, { bosToken: spec.bosToken, eosToken: spec.eosToken, now: NOW });
	return { text, spans: assistantSpans(spec, conversation, text, { now: NOW }) };
}

const texts = (id: FamilyId, name: string) => {
	const { text, spans } = spansOf(id, name);
	return spans.map((s) => [s.message, text.slice(s.start, s.end)]);
};

describe('assistant-only trained spans', () => {
	it('runs from the end of the assistant header through the end-of-turn token', () => {
		expect(texts('qwen2.5', 'system-single-turn')).toEqual([[2, 'The capital of Norway is Oslo.<|im_end|>']]);
		expect(texts('llama3', 'system-single-turn')).toEqual([[2, 'The capital of Norway is Oslo.<|eot_id|>']]);
		expect(texts('gemma3', 'system-single-turn')).toEqual([[2, 'The capital of Norway is Oslo.<end_of_turn>']]);
		expect(texts('gpt-oss', 'system-single-turn')).toEqual([[2, '<|channel|>final<|message|>The capital of Norway is Oslo.<|return|>']]);
	});

	it('covers every assistant turn, and nothing of the user turns', () => {
		const { text, spans } = spansOf('chatml', 'multi-turn');
		expect(spans.map((s) => s.message)).toEqual([1, 3]);
		const untrained = text.slice(0, spans[0].start) + text.slice(spans[0].end, spans[1].start) + text.slice(spans[1].end);
		expect(untrained).toBe('<|im_start|>user\nCan you help me plan a 3-day trip to Kyoto?<|im_end|>\n<|im_start|>assistant\n\n<|im_start|>user\n  What about food? Keep it short.  <|im_end|>\n<|im_start|>assistant\n\n');
	});

	it('includes what the template adds to a turn: Qwen3 gives the last turn an empty think block', () => {
		expect(texts('qwen3', 'multi-turn')[1][1]).toBe('<think>\n\n</think>\n\nTry yudofu in Arashiyama, and matcha sweets — 抹茶パフェ — in Gion. 🍵<|im_end|>');
	});

	it('trains tool calls as the template renders them', () => {
		expect(texts('qwen2.5', 'tools')).toEqual([
			[2, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}\n</tool_call><|im_end|>'],
			[4, 'It is 21.5 °C and sunny in Zürich.<|im_end|>']
		]);
		expect(texts('gpt-oss', 'tools')[0]).toEqual([2, ' to=functions.get_weather<|channel|>commentary json<|message|>{"city": "Zürich", "unit": "celsius"}<|call|>']);
	});

	it('keeps a gpt-oss turn whole across its analysis and final messages', () => {
		expect(texts('gpt-oss', 'think-field')[1]).toEqual([3, '<|channel|>analysis<|message|>Check 2, 3, 5, 7: none divide 97.<|end|><|start|>assistant<|channel|>final<|message|>Yes, 97 is prime.<|return|>']);
	});

	it('gives consecutive assistant messages a span each', () => {
		const spec = templateFamily('chatml');
		const conversation = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'One.' }, { role: 'assistant', content: 'Two.' }] };
		const text = renderChat(spec.chatTemplate, conversation);
		expect(assistantSpans(spec, conversation, text).map((s) => text.slice(s.start, s.end))).toEqual(['One.<|im_end|>', 'Two.<|im_end|>']);
	});

	it('trains the whole text under "train on everything"', () => {
		const { text } = spansOf('qwen3', 'multi-turn');
		const spec = templateFamily('qwen3');
		expect(trainedSpans('everything', spec, conversations['multi-turn'], text)).toEqual([{ start: 0, end: text.length }]);
		expect(trainedSpans('assistant-only', spec, conversations['multi-turn'], text, { now: NOW })).toHaveLength(2);
	});
});
