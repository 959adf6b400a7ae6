/**
 * Validation of preference data (issue 16): a pair's prompt ends on the user by design, so the
 * conversation-shape rules stay quiet on it; the pair rules flag what breaks preference training.
 */
import { describe, expect, it } from 'vitest';
import { importFixture } from '../test-utils';
import { BUILTIN_PROFILES, BUILTIN_PROFILE_IDS, compileProfile, validateEntry } from './index';

describe('preference pairs under every built-in profile', () => {
	const pairs = importFixture('preference/trl-conversational.jsonl').entries;
	const rules = (profile: (typeof BUILTIN_PROFILE_IDS)[number], index: number) => validateEntry(pairs[index], compileProfile(BUILTIN_PROFILES[profile])).map((f) => f.rule);

	it('never call a pair "ends on user" or "no assistant message"', () => {
		for (const profile of BUILTIN_PROFILE_IDS) {
			for (let i = 0; i < pairs.length; i++) {
				expect(rules(profile, i)).not.toContain('ends-on-user');
				expect(rules(profile, i)).not.toContain('missing-assistant');
			}
		}
	});

	it('flags the pair whose chosen and rejected answers are identical, and only it', () => {
		expect(rules('openai-chat', 0)).not.toContain('pair-identical');
		expect(rules('openai-chat', 2)).toContain('pair-identical');
	});

	it('still flags a plain chat that ends on the user', () => {
		const chat = { ...pairs[0], preference: undefined, id: 'plain' };
		const found = validateEntry(chat, compileProfile(BUILTIN_PROFILES['openai-chat'])).map((f) => f.rule);
		expect(found).toContain('ends-on-user');
	});
});

describe('duplicates among preference data', () => {
	it('two pairs on one prompt with different answers are not duplicates; the same pair twice is', async () => {
		const { duplicateKeyOf } = await import('./rules/duplicates');
		const [first, second] = importFixture('preference/trl-conversational.jsonl').entries;
		const other = { ...first, preference: { kind: 'pair' as const, chosen: [{ role: 'assistant', content: 'Blue, mostly.' }], rejected: [{ role: 'assistant', content: 'Red.' }] } };
		expect(first.hash).toBe(other.hash);
		expect(duplicateKeyOf(first)).not.toBe(duplicateKeyOf(other));
		expect(duplicateKeyOf(first)).toBe(duplicateKeyOf(second));
		expect(duplicateKeyOf({ ...first, preference: undefined })).not.toBe(duplicateKeyOf(first));
	});
});
