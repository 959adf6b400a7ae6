import { describe, expect, it } from 'vitest';
import { toTemplateConversation, toTemplateMessage } from './conversation';

describe('toTemplateConversation', () => {
	it('keeps every key of a message and turns null content into ""', () => {
		const message = { role: 'assistant', content: null, name: 'Mira', weight: 0, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } }] };
		expect(toTemplateMessage(message)).toEqual({ role: 'assistant', content: '', name: 'Mira', weight: 0, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] });
	});

	it('leaves tool arguments that are not a JSON object as they are', () => {
		const calls = (args: unknown) => [{ type: 'function', function: { name: 'f', arguments: args } }];
		for (const args of ['not json', '[1,2]', '"text"', { already: 'object' }]) {
			expect((toTemplateMessage({ role: 'assistant', content: '', tool_calls: calls(args) }).tool_calls as { function: { arguments: unknown } }[])[0].function.arguments).toEqual(args);
		}
	});

	it("moves a leading think block into the family's reasoning field", () => {
		const message = { role: 'assistant', content: '<think>\n7 × 13 = 91\n</think>\n\nNo.' };
		expect(toTemplateMessage(message, { thinkField: 'thinking' })).toEqual({ role: 'assistant', content: 'No.', thinking: '7 × 13 = 91' });
		expect(toTemplateMessage(message, { thinkField: null })).toEqual(message);
		// A message that already has the field keeps both as they are.
		expect(toTemplateMessage({ ...message, thinking: 'given' }, { thinkField: 'thinking' }).content).toBe(message.content);
		// Only assistant messages, only a leading block.
		expect(toTemplateMessage({ role: 'user', content: message.content }, { thinkField: 'thinking' }).content).toBe(message.content);
		expect(toTemplateMessage({ role: 'assistant', content: 'Yes. <think>x</think>' }, { thinkField: 'thinking' }).thinking).toBeUndefined();
	});

	it("passes the entry's tools list, and none when it has none", () => {
		const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }];
		expect(toTemplateConversation({ messages: [{ role: 'user', content: 'x' }], extra: { tools } }).tools).toBe(tools);
		expect(toTemplateConversation({ messages: [{ role: 'user', content: 'x' }], extra: { tools: [] } })).not.toHaveProperty('tools');
		expect(toTemplateConversation({ messages: [{ role: 'user', content: 'x' }], extra: {} })).not.toHaveProperty('tools');
	});

	it('does not change the entry', () => {
		const entry = { messages: [{ role: 'assistant', content: '<think>a</think>b', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] }], extra: {} };
		const before = structuredClone(entry);
		toTemplateConversation(entry, { thinkField: 'thinking' });
		expect(entry).toEqual(before);
	});
});
