import { describe, expect, it } from 'vitest';
import { fixtureText, importFixture, importInChunks, noteTexts } from '../test-utils';
import { builtinProfile } from '../validation/profiles';
import { validateEntry } from '../validation/validate';

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
				'{"messages": [{"role": "user", "content": {"text": "an object"}}]}',
				'{"messages": {}}'
			].join('\n')
		);
		expect(entries[0].messages).toEqual([{ role: 'assistant', tool_calls: [], content: null }]);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'messages[0] has no role',
			'messages[0] is not an object',
			'messages[0].content must be text, a list of parts or null (it is an object)',
			'messages must be a list'
		]);
	});

	it('imports number and boolean content as text, noted and flagged by the non-string-content rule', () => {
		const { entries, report } = importInChunks(
			[
				'{"messages": [{"role": "user", "content": "What is six times seven?"}, {"role": "assistant", "content": 42}]}',
				'{"messages": [{"role": "user", "content": "Is water wet?"}, {"role": "assistant", "content": true, "weight": 1}]}',
				'{"conversations": [{"from": "human", "value": "Count"}, {"from": "gpt", "value": 3}]}'
			].join('\n')
		);
		expect(report.errorCount).toBe(0);
		expect(entries.map((e) => e.messages[1])).toEqual([
			{ role: 'assistant', content: '42' },
			{ role: 'assistant', content: 'true', weight: 1 },
			{ role: 'assistant', content: '3' }
		]);
		expect(entries.map((e) => e.meta.contentConverted)).toEqual([
			[{ message: 1, was: 'a number', text: '42' }],
			[{ message: 1, was: 'a boolean', text: 'true' }],
			[{ message: 1, was: 'a number', text: '3' }]
		]);
		expect(report.notes.find((n) => n.text.startsWith('message content that was a number'))?.count).toBe(1);
		const profile = builtinProfile('openai-chat');
		const findings = validateEntry(entries[0], profile).filter((f) => f.rule === 'non-string-content');
		expect(findings).toHaveLength(1);
		expect(findings[0]).toMatchObject({ messageIndex: 1 });
		expect(findings[0].message).toContain('was a number in the file');
		// Once the text is edited, the flag no longer applies.
		const edited = { ...entries[0], messages: [entries[0].messages[0], { role: 'assistant', content: 'Forty-two.' }] };
		expect(validateEntry(edited, profile).filter((f) => f.rule === 'non-string-content')).toEqual([]);
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
