import { describe, expect, it } from 'vitest';
import { entryToLine, exportFileName, safeFileBaseName } from './serialize';
import type { Entry } from '../model';

const base: Entry = {
	id: 'x1',
	messages: [
		{ role: 'user', content: 'Weather?' },
		{ role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
		{ role: 'tool', content: '{"t": 1}', tool_call_id: 'c1' }
	],
	tags: ['tools'],
	meta: { review: 'draft' },
	extra: { tools: [{ type: 'function' }], id: 'orig' },
	hash: 'h'
};

describe('entryToLine', () => {
	it('writes minimal OpenAI records with tools', () => {
		expect(JSON.parse(entryToLine(base, 'openai'))).toEqual({ messages: base.messages, tools: base.extra.tools });
		expect(entryToLine({ ...base, extra: {} }, 'openai')).toBe(JSON.stringify({ messages: base.messages }));
	});

	it('writes Skein records with messages and extra at the top level and our fields under skein', () => {
		const record = JSON.parse(entryToLine(base, 'skein'));
		expect(Object.keys(record)).toEqual(['messages', 'tools', 'id', 'skein']);
		expect(record.skein).toEqual({ v: 1, id: 'x1', tags: ['tools'], meta: { review: 'draft' }, hash: 'h' });
	});

	it('nests extra under skein.extra when a key would collide', () => {
		const record = JSON.parse(entryToLine({ ...base, extra: { messages: 'theirs', skein: 1, other: true } }, 'skein'));
		expect(Object.keys(record)).toEqual(['messages', 'skein']);
		expect(record.messages).toEqual(base.messages);
		expect(record.skein.extra).toEqual({ messages: 'theirs', skein: 1, other: true });
	});

	it('keeps __proto__ keys in extra as data', () => {
		const extra = JSON.parse('{"__proto__": {"x": 1}}');
		const line = entryToLine({ ...base, extra }, 'skein');
		expect(line).toContain('"__proto__":{"x":1}');
		expect(({} as Record<string, unknown>).x).toBeUndefined();
	});
});

describe('exportFileName', () => {
	const date = new Date(2026, 10, 22, 23, 59);
	it('names files after dataset, format and local date', () => {
		expect(exportFileName('roleplay-sample', 'openai', date)).toBe('roleplay-sample.openai.2026-11-22.jsonl');
		expect(exportFileName('My Dataset', 'skein', date)).toBe('My-Dataset.skein.2026-11-22.jsonl');
	});

	it('a re-imported export does not double the date (its name is the old file name)', () => {
		expect(exportFileName('roleplay-sample.openai.2026-11-01', 'openai', date)).toBe('roleplay-sample.openai.2026-11-22.jsonl');
		expect(exportFileName('roleplay-sample.train.sharegpt.2026-11-01', 'skein', date)).toBe('roleplay-sample.skein.2026-11-22.jsonl');
		expect(exportFileName('notes.v2', 'openai', date)).toBe('notes.v2.openai.2026-11-22.jsonl');
	});

	it('strips path separators, control characters and leading dots', () => {
		expect(safeFileBaseName('../../etc/passwd')).toBe('etc-passwd');
		expect(safeFileBaseName('a\\b:c*d?e"f<g>h|i\u0000j\nk')).toBe('a-b-c-d-e-f-g-h-i-j-k');
		expect(safeFileBaseName('  ...  ')).toBe('dataset');
		expect(safeFileBaseName('CON')).toBe('CON-dataset');
		expect(safeFileBaseName('日本語 データ')).toBe('日本語-データ');
		expect(safeFileBaseName('x'.repeat(500)).length).toBe(100);
	});
});
