import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from './profiles';
import { validateDataset } from './validate';

describe('duplicate-prompt (issue 14): the same question answered differently', () => {
	it('flags a later entry whose user messages equal an earlier one’s with a different answer; exact duplicates are left to exact-duplicate', () => {
		const chat = (id: string, user: string, assistant: string) => ({
			id,
			messages: [
				{ role: 'user', content: user },
				{ role: 'assistant', content: assistant }
			],
			tags: [],
			meta: { review: 'draft' as const },
			extra: {},
			hash: `${user}|${assistant}`
		});
		const entries = [chat('a', 'Who are you?', 'Mara, the keeper.'), chat('b', '  who are   YOU? ', 'I am ChatGPT.'), chat('c', 'Who are you?', 'Mara, the keeper.'), chat('d', 'Where is the lamp?', 'Up the stairs.')];
		const roleplay = validateDataset(entries, BUILTIN_PROFILES['roleplay']);
		const found = roleplay.findings.filter((f) => f.rule === 'duplicate-prompt');
		expect(found.map((f) => [f.entryId, f.severity])).toEqual([['b', 'warning']]);
		expect(found[0].message).toBe('Same prompt as entry a, with a different answer.');
		expect(roleplay.findings.filter((f) => f.rule === 'exact-duplicate').map((f) => f.entryId)).toEqual(['c']);
		expect(validateDataset(entries, BUILTIN_PROFILES['openai-chat']).findings.find((f) => f.rule === 'duplicate-prompt')?.severity).toBe('info');
		expect(validateDataset(entries, BUILTIN_PROFILES['openai-cookbook']).findings.find((f) => f.rule === 'duplicate-prompt')).toBeUndefined();
	});

	it('leaves preference data alone: several pairs or labelled answers for one prompt are what a preference trainer wants', () => {
		const prompt = [{ role: 'user', content: 'Describe the lighthouse at dusk.' }];
		const answer = (content: string) => [{ role: 'assistant', content }];
		const pair = (id: string, chosen: string, rejected: string) => ({
			id,
			messages: prompt,
			tags: [],
			meta: { review: 'draft' as const },
			extra: {},
			hash: `${id}`,
			preference: { kind: 'pair' as const, chosen: answer(chosen), rejected: answer(rejected) }
		});
		const label = (id: string, content: string, good: boolean) => ({
			id,
			messages: [...prompt, ...answer(content)],
			tags: [],
			meta: { review: 'draft' as const },
			extra: {},
			hash: `${id}`,
			preference: { kind: 'label' as const, label: good }
		});
		const entries = [
			pair('p1', 'The lamp turns amber over the grey swell.', 'It is a lighthouse.'),
			pair('p2', 'The lamp turns amber over the grey swell.', 'Lighthouses are tall.'),
			label('k1', 'Salt wind, a slow beam.', true),
			label('k2', 'A building.', false)
		];
		expect(validateDataset(entries, BUILTIN_PROFILES['roleplay']).findings.filter((f) => f.rule === 'duplicate-prompt')).toEqual([]);
		// The same prompts as plain chats are still flagged.
		const plain = entries.map(({ preference: _preference, ...rest }) => rest);
		expect(validateDataset(plain, BUILTIN_PROFILES['roleplay']).findings.filter((f) => f.rule === 'duplicate-prompt').map((f) => f.entryId)).toEqual(['p2', 'k1', 'k2']);
	});
});
