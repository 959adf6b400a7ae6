import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templateFamily } from '../templates/families';
import type { TemplateConversation } from '../templates/render';
import { entryOf as makeEntry } from './test-entries';
import { codePointOffsets, writeRenderedText } from './write-rendered-text';
import { lossNotes, writeEntry } from './writers';

const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, TemplateConversation>;
const golden = (family: string) => JSON.parse(readFileSync(`tests/fixtures/templates/${family}.json`, 'utf8')) as { renders: Record<string, { text?: string }> };

describe('pre-rendered text export', () => {
	it('writes {"text"} equal to Python jinja2’s render of the template (golden)', () => {
		const spec = templateFamily('qwen3');
		const entry = makeEntry(conversations['multi-turn'].messages as never);
		const outcome = writeEntry(entry, 'rendered-text', { renderedText: { template: spec } });
		expect(outcome.kind).toBe('written');
		if (outcome.kind !== 'written') return;
		expect(outcome.lines).toHaveLength(1);
		expect(JSON.parse(outcome.lines[0])).toEqual({ text: golden('qwen3').renders['multi-turn'].text });
	});

	it('adds the assistant spans as code-point offsets that cut out each assistant turn', () => {
		const spec = templateFamily('chatml');
		const entry = makeEntry([
			{ role: 'user', content: 'Say hi 👋' },
			{ role: 'assistant', content: 'Hi 👋 there' },
			{ role: 'user', content: 'Again' },
			{ role: 'assistant', content: 'Hello' }
		] as never);
		const outcome = writeRenderedText(entry, { template: spec, spans: true });
		if (outcome.kind !== 'written') throw new Error('not written');
		const line = JSON.parse(outcome.lines[0]) as { text: string; assistant_spans: [number, number][] };
		const points = Array.from(line.text);
		expect(line.assistant_spans.map(([start, end]) => points.slice(start, end).join(''))).toEqual(['Hi 👋 there<|im_end|>', 'Hello<|im_end|>']);
	});

	it('skips an entry the template refuses, with the template’s own message, and needs a target', () => {
		const entry = makeEntry([
			{ role: 'user', content: 'a' },
			{ role: 'user', content: 'b' }
		] as never);
		const refused = writeRenderedText(entry, { template: templateFamily('gemma3') });
		expect(refused).toMatchObject({ kind: 'skipped', reason: { code: 'template-refused' } });
		if (refused.kind === 'skipped') expect(refused.reason.message).toMatch(/roles must alternate/i);
		expect(writeRenderedText(entry, {})).toMatchObject({ kind: 'skipped', reason: { code: 'no-target' } });
	});

	it('documents the field names', () => {
		expect(lossNotes('rendered-text', { renderedText: { spans: true } }).join(' ')).toMatch(/"assistant_spans": \[\[start, end\]/);
		expect(lossNotes('rendered-text').join(' ')).not.toMatch(/assistant_spans/);
	});

	it('maps UTF-16 indexes to code points', () => {
		expect(codePointOffsets('a👋b', [0, 1, 3, 4])).toEqual([0, 1, 2, 3]);
	});
});
