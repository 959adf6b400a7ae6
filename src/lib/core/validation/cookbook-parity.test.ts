/**
 * Parity with OpenAI's chat fine-tuning data-prep notebook (openai-cookbook,
 * examples/Chat_finetuning_data_prep.ipynb). The expected counts below were written by hand from
 * the notebook's logic, line by line of the fixture (reference/formats.md §3.1):
 *
 *   for ex in dataset:
 *       if not isinstance(ex, dict): data_type += 1; continue
 *       messages = ex.get("messages", None)
 *       if not messages: missing_messages_list += 1; continue
 *       for message in messages:
 *           "role" or "content" not in message      → message_missing_key += 1
 *           a key not in role/content/name/function_call/weight → message_unrecognized_key += 1
 *           role not in system/user/assistant/function → unrecognized_role += 1
 *           (not content and not function_call) or not isinstance(content, str) → missing_content += 1
 *       no message with role "assistant"           → example_missing_assistant_message += 1
 *
 * Line by line: 1 clean; 2 "just a string", 3 42, 4 null → data_type; 5 [] , 6 null messages,
 * 7 prompt/response → missing_messages_list; 8 user only → example_missing_assistant_message;
 * 9 user without content → message_missing_key + missing_content; 10 tool_calls on a message →
 * message_unrecognized_key (weight is allowed); 11 "tool" and "human" → unrecognized_role ×2;
 * 12 empty content without function_call, and content 7 → missing_content ×2 (the empty content
 * with a function_call passes); 13 ShareGPT, 14 unknown keys → missing_messages_list; 15 a list →
 * data_type; 16 clean; 17 message without role → message_missing_key + unrecognized_role.
 */
import { describe, expect, it } from 'vitest';
import { fixtureText, importFixture } from '../test-utils';
import { cookbookCounts } from './rules/cookbook';
import { BUILTIN_PROFILES } from './profiles';
import { compileProfile, validateDataset, withRecordsNotImported } from './validate';

const NOTEBOOK = {
	data_type: 4,
	missing_messages_list: 5,
	message_missing_key: 2,
	message_unrecognized_key: 1,
	unrecognized_role: 3,
	missing_content: 3,
	example_missing_assistant_message: 1
};

describe('openai-cookbook profile: the counts OpenAI’s notebook prints', () => {
	it('the raw-record check counts each category as the notebook does', () => {
		const counts: Record<string, number> = {};
		for (const line of fixtureText('validation/cookbook-parity.jsonl').trim().split('\n')) cookbookCounts(JSON.parse(line), counts);
		expect(counts).toEqual(NOTEBOOK);
	});

	it('import, then validate: refused records are counted, per-message categories count messages', () => {
		const { entries, report } = importFixture('validation/cookbook-parity.jsonl');
		const compiled = compileProfile(BUILTIN_PROFILES['openai-cookbook']);
		const { summary } = validateDataset(entries, compiled);
		const full = withRecordsNotImported(summary, report.cookbookNotImported ?? {}, compiled);
		// The seven error categories (the profile also carries the notebook's warnings, such as missing-system).
		const shown = Object.fromEntries(full.byRule.filter((row) => row.rule in NOTEBOOK).map((row) => [row.rule, row.findings]));
		// Records converted from other shapes (prompt/response, ShareGPT) have messages now; the
		// report lists them apart, and together everything adds up to the notebook's figures.
		expect(report.cookbookConverted).toEqual({ missing_messages_list: 2 });
		expect(shown).toEqual({ ...NOTEBOOK, missing_messages_list: NOTEBOOK.missing_messages_list - 2 });
		expect(full.byRule.find((r) => r.rule === 'data_type')).toMatchObject({ findings: 4, entries: 0, notImported: 4 });
		// unrecognized_role: 2 messages in one entry (line 11) + 1 in a refused record (line 17).
		expect(full.byRule.find((r) => r.rule === 'unrecognized_role')).toMatchObject({ findings: 3, entries: 1, notImported: 1 });
		expect(full.byRule.find((r) => r.rule === 'missing_content')).toMatchObject({ findings: 3, entries: 2 });
		expect(full.bySeverity.error).toBe(Object.values(NOTEBOOK).reduce((a, b) => a + b, 0) - 2);
		expect(full.byRule.find((r) => r.rule === 'missing-system')?.severity).not.toBe('error');
	});
});
