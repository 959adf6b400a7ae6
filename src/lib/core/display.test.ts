import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, messagePreview, plural, previewText, roleClass } from './display';

describe('display helpers', () => {
	it('formats sizes the way people read them', () => {
		expect(formatBytes(0)).toBe('0 B');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(204_706_784)).toBe('195 MB');
		expect(formatBytes(-1)).toBe('—');
	});

	it('pluralises counts with thousands separators', () => {
		expect(plural(1, 'entry', 'entries')).toBe('1 entry');
		expect(plural(100000, 'entry', 'entries')).toBe('100,000 entries');
	});

	it('says how long ago something changed', () => {
		const now = Date.UTC(2026, 10, 22, 12);
		expect(formatAge(now - 10_000, now)).toBe('just now');
		expect(formatAge(now - 5 * 60_000, now)).toBe('5 min ago');
		expect(formatAge(now - 3 * 3600_000, now)).toBe('3 h ago');
		expect(formatAge(now - 30 * 86400_000, now)).toBe('2026-10-23');
	});

	it('previews any content as one line of text', () => {
		expect(previewText('  Hello\n\nthere ')).toBe('Hello there');
		expect(previewText(null)).toBe('');
		expect(previewText([{ type: 'text', text: 'part one' }, { type: 'image_url' }])).toBe('part one [image]');
		expect(messagePreview({ content: null, tool_calls: [{ function: { name: 'search_recipes' } }, {}] })).toBe('[calls search_recipes, ?]');
		expect(messagePreview({ content: 'Hi' })).toBe('Hi');
		// LLaMA-Factory's typed parts (issue 17): never "[part]".
		expect(previewText([{ type: 'reasoning', value: 'Think.' }, { type: 'text', value: 'Answer.' }, { type: 'tool_call', value: '{}' }, {}])).toBe('Think. Answer. [tool call] [content]');
		expect(previewText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
	});

	it('maps custom speakers to the "other" chip', () => {
		expect(roleClass('assistant')).toBe('assistant');
		expect(roleClass('Narrator')).toBe('other');
	});
});
