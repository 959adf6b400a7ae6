import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { BUILTIN_PROFILE_IDS, BUILTIN_PROFILES, resolveProfile } from './profiles';
import { ALL_RULES, ENTRY_RULES } from './rules';
import { chat, entryOf } from './testing';
import type { EntryRule } from './types';
import { compileProfile, DatasetValidator, INTERNAL_ERROR_RULE, validateDataset, validateEntry, validateRawRecord } from './validate';

const FIXTURE = fileURLToPath(new URL('../../../../tests/fixtures/validation/cookbook.jsonl', import.meta.url));

describe('openai-cookbook profile', () => {
	it('counts the seven categories exactly as the notebook does', () => {
		const compiled = compileProfile(BUILTIN_PROFILES['openai-cookbook']);
		const counts: Record<string, number> = {};
		readFileSync(FIXTURE, 'utf8')
			.split('\n')
			.filter((line) => line.trim() !== '')
			.forEach((line, i) => {
				for (const finding of validateRawRecord(JSON.parse(line), compiled, { entryId: `line ${i + 1}` })) {
					counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
				}
			});
		// Computed by running the notebook's loop in Python over lines 1–12 and 15 (it raises on
		// 13 and 14), plus our documented counts for those two lines.
		expect(counts).toMatchObject({
			data_type: 3,
			missing_messages_list: 3,
			message_missing_key: 2,
			message_unrecognized_key: 3,
			unrecognized_role: 3,
			missing_content: 5,
			example_missing_assistant_message: 1
		});
	});

	it('skips the other checks of an example that is not an object or has no messages', () => {
		const findings = validateRawRecord({ messages: [] }, BUILTIN_PROFILES['openai-cookbook']);
		expect(findings.map((f) => f.rule)).toEqual(['missing_messages_list']);
		expect(validateRawRecord('text', BUILTIN_PROFILES['openai-cookbook']).map((f) => f.rule)).toEqual(['data_type']);
	});

	it('uses the record id, or the one given', () => {
		expect(validateRawRecord(null, BUILTIN_PROFILES['openai-cookbook'], { entryId: 'line 7' })[0].entryId).toBe('line 7');
	});
});

describe('validateEntry', () => {
	it('applies the profile severity and skips disabled rules', () => {
		const entry = entryOf([['user', 'Hi'], ['user', 'Still there?'], ['assistant', 'Yes.']]);
		expect(validateEntry(entry, BUILTIN_PROFILES['openai-chat']).find((f) => f.rule === 'consecutive-same-role')?.severity).toBe('info');
		expect(validateEntry(entry, BUILTIN_PROFILES['chatml-strict']).find((f) => f.rule === 'consecutive-same-role')?.severity).toBe('error');
		const off = resolveProfile(BUILTIN_PROFILES['chatml-strict'], { rules: { 'consecutive-same-role': { enabled: false } } });
		expect(validateEntry(entry, off).some((f) => f.rule === 'consecutive-same-role')).toBe(false);
	});

	it('halts after a guard rule fires', () => {
		const findings = validateEntry({ id: 'x', messages: 'nope' } as unknown as Entry, BUILTIN_PROFILES['openai-chat']);
		expect(findings.map((f) => f.rule)).toEqual(['messages-not-list']);
	});

	it('turns a throwing rule into an internal-error finding', () => {
		const boom: EntryRule = {
			scope: 'entry',
			id: 'boom',
			title: 'Boom',
			description: 'Always throws, for this test.',
			defaultSeverity: 'error',
			repairKind: 'manual',
			check() {
				throw new Error('kaput');
			}
		};
		const compiled = compileProfile(BUILTIN_PROFILES['openai-chat']);
		const withBoom = { ...compiled, entryRules: [...compiled.entryRules, { rule: boom, severity: 'error' as const }] };
		const findings = validateEntry(chat('Hi', 'Hello'), withBoom);
		expect(findings).toContainEqual(expect.objectContaining({ rule: INTERNAL_ERROR_RULE, message: expect.stringContaining('kaput') }));
	});

	it('re-reads an entry edited in place', () => {
		const entry = chat('Hi', 'Hello');
		const compiled = compileProfile(BUILTIN_PROFILES['openai-chat']);
		expect(validateEntry(entry, compiled).some((f) => f.rule === 'refusal-phrase')).toBe(false);
		entry.messages[2] = { role: 'assistant', content: 'As an AI language model, I cannot.' };
		expect(validateEntry(entry, compiled).some((f) => f.rule === 'refusal-phrase')).toBe(true);
	});
});

/** Any JSON value, and entry-like objects whose fields and messages are any JSON values. */
const jsonish = fc.jsonValue({ maxDepth: 4 });
const messageLike = fc.oneof(
	jsonish,
	fc.record(
		{
			role: fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'Human', 'gpt', 'Mara', ' bot '), jsonish),
			content: fc.oneof(fc.string(), fc.constantFrom('<think>a', '</think>', '{{char}}', 'As an AI language model', 'ERROR: x', '{"a": ['), jsonish),
			tool_calls: jsonish,
			tool_call_id: jsonish,
			weight: jsonish,
			name: jsonish,
			function_call: jsonish
		},
		{ requiredKeys: [] }
	)
);
const entryLike = fc.oneof(
	fc.anything(),
	fc.record({ id: fc.oneof(fc.string(), jsonish), messages: fc.oneof(fc.array(messageLike, { maxLength: 8 }), jsonish), tags: jsonish, hash: jsonish }, { requiredKeys: ['messages'] })
);

describe('robustness', () => {
	it('no rule of any profile throws on any JSON value or entry-like shape', () => {
		const compiled = BUILTIN_PROFILE_IDS.map((id) => compileProfile({ ...BUILTIN_PROFILES[id], rules: Object.fromEntries(ALL_RULES.map((r) => [r.id, { enabled: true, severity: r.defaultSeverity }])) }));
		fc.assert(
			fc.property(fc.array(entryLike, { maxLength: 5 }), (values) => {
				for (const profile of compiled) {
					const result = validateDataset(values as Entry[], profile);
					const internal = result.findings.filter((f) => f.rule === INTERNAL_ERROR_RULE);
					if (internal.length > 0) throw new Error(internal[0].message);
				}
			}),
			{ numRuns: 200 }
		);
	}, 60_000);

	it('every entry rule is registered once', () => {
		expect(new Set(ENTRY_RULES.map((r) => r.id)).size).toBe(ENTRY_RULES.length);
	});
});

describe('DatasetValidator', () => {
	it('streams blocks, returns their findings, and summarises per rule', () => {
		const a = chat('Is the lamp lit?', 'It is.');
		const dup = { ...chat('Is the lamp lit?', 'It is.'), id: 'dup' };
		const bad = entryOf([['user', 'Hi'], ['assistant', '']]);
		const validator = new DatasetValidator(BUILTIN_PROFILES['openai-chat']);
		const first = validator.add([a]);
		const second = validator.add([dup, bad]);
		expect(first).toEqual([]);
		expect(second.some((f) => f.rule === 'empty-content' && f.entryId === bad.id)).toBe(true);
		const { findings, summary } = validator.finish();
		expect(findings.some((f) => f.rule === 'exact-duplicate' && f.entryId === 'dup')).toBe(true);
		expect(summary.entries).toBe(3);
		expect(summary.entriesWithErrors).toBe(1);
		expect(summary.byRule.find((r) => r.rule === 'exact-duplicate')).toMatchObject({ findings: 1, entries: 1, severity: 'warning' });
		expect(summary.bySeverity.error).toBeGreaterThanOrEqual(1);
		expect(summary.entriesClean + summary.entriesWithErrors + summary.entriesWithWarningsOnly).toBe(3);
	});
});
