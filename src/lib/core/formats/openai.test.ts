import { describe, expect, it } from 'vitest';
import { fixtureText, importFixture, importInChunks, noteTexts } from '../test-utils';

describe('OpenAI messages', () => {
	const { entries, report } = importFixture('openai-tools.jsonl');

	it('keeps every message key and unknown top-level keys', () => {
		const source = fixtureText('openai-tools.jsonl').trim().split('\n').map((l) => JSON.parse(l));
		expect(entries.map((e) => e.messages)).toEqual(source.map((s) => s.messages));
		expect(entries[0].extra).toEqual({ tools: source[0].tools, id: 'ex-1' });
		expect(entries[1].messages[0]).toEqual({ role: 'user', name: 'alice', content: 'Hi' });
		expect(report.formats).toEqual({ openai: 3 });
	});

	it('keeps structured content parts, with a note', () => {
		expect(Array.isArray(entries[2].messages[0].content)).toBe(true);
		expect(noteTexts(report)).toContain('structured content parts kept');
	});

	it('gives a missing content null, and rejects bad messages', () => {
		const { entries, report } = importInChunks(
			[
				'{"messages": [{"role": "assistant", "tool_calls": []}]}',
				'{"messages": [{"content": "no role"}]}',
				'{"messages": ["text"]}',
				'{"messages": [{"role": "user", "content": 5}]}',
				'{"messages": {}}'
			].join('\n')
		);
		expect(entries[0].messages).toEqual([{ role: 'assistant', tool_calls: [], content: null }]);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'messages[0] has no role',
			'messages[0] is not an object',
			'messages[0].content must be text, a list of parts or null',
			'messages must be a list'
		]);
	});
});

describe('ISF annotated samples', () => {
	const { entries, report } = importFixture('isf-annotated.jsonl');

	it('imports samples with provenance as metadata and id in extra', () => {
		expect(entries.length).toBe(2);
		expect(report.formats).toEqual({ 'isf-annotated': 2 });
		expect(entries[0].extra).toEqual({ id: 'a1b2c3' });
		expect(entries[0].messages[1].content).toMatch(/^<think>/);
		expect(entries[0].meta.provenance).toEqual({
			kind: 'isf',
			input_data: { fact: 'Cubsfan loves baseball', original_score: 4 },
			steps: [expect.objectContaining({ model: 'cubsfan-release-full', step_index: 0 })],
			pipeline_commit: '0123456789ab',
			pipeline_file: '/Users/someone/isf/src/isf/base.py',
			started_at: '2025-06-01T10:00:00',
			completed_at: '2025-06-01T10:00:03'
		});
	});

	it('lists __ERROR__ records as ISF errors, not as import errors', () => {
		expect(report.errors).toEqual([]);
		expect(report.isfErrorCount).toBe(2);
		expect(report.isfErrors).toEqual([
			{ line: 2, errorType: 'unexpected_error', message: "KeyError: 'fact'" },
			{ line: 4, errorType: 'skipped', message: 'Task returned None' }
		]);
		expect(report.records).toBe(4);
	});

	it('treats a minimal TrainingSample {id, messages} as OpenAI', () => {
		const { entries, report } = importInChunks('{"id": "x", "messages": [{"role": "user", "content": "a"}]}');
		expect(report.formats).toEqual({ openai: 1 });
		expect(entries[0].extra).toEqual({ id: 'x' });
	});
});
