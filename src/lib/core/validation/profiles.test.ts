import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILE_IDS, BUILTIN_PROFILES, CustomProfileSchema, ProfileSchema, resolveCustomProfile, resolveProfile } from './profiles';
import { ALL_RULES } from './rules';

describe('profiles', () => {
	it('every built-in profile parses with ProfileSchema and names every rule', () => {
		for (const id of BUILTIN_PROFILE_IDS) {
			const profile = ProfileSchema.parse(BUILTIN_PROFILES[id]);
			for (const rule of ALL_RULES) expect(profile.rules[rule.id], `${id}/${rule.id}`).toBeDefined();
		}
	});

	it('openai-cookbook runs the seven categories under their exact names', () => {
		const on = Object.entries(BUILTIN_PROFILES['openai-cookbook'].rules)
			.filter(([, s]) => s.enabled && s.severity === 'error')
			.map(([id]) => id)
			.sort();
		expect(on).toEqual(
			['data_type', 'example_missing_assistant_message', 'message_missing_key', 'message_unrecognized_key', 'missing_content', 'missing_messages_list', 'unrecognized_role'].sort()
		);
		// Template findings are on there too (quiet without a training target), as warnings.
		const template = Object.entries(BUILTIN_PROFILES['openai-cookbook'].rules).filter(([id]) => id.startsWith('template-'));
		expect(template.length).toBeGreaterThan(5);
		for (const [, setting] of template) expect(setting).toEqual({ enabled: true, severity: 'warning' });
	});

	it('resolveProfile toggles rules, changes severities and settings, and ignores unknown ids', () => {
		const custom = resolveProfile(
			BUILTIN_PROFILES.roleplay,
			{ label: 'Mara RP', rules: { placeholder: { severity: 'warning' }, 'near-duplicate': { enabled: false }, 'no-such-rule': { enabled: true } }, settings: { identityName: 'Mara' } },
			'custom-1'
		);
		expect(custom.id).toBe('custom-1');
		expect(custom.label).toBe('Mara RP');
		expect(custom.rules.placeholder).toEqual({ enabled: true, severity: 'warning' });
		expect(custom.rules['near-duplicate'].enabled).toBe(false);
		expect(custom.rules['no-such-rule']).toBeUndefined();
		expect(custom.settings.identityName).toBe('Mara');
		expect(BUILTIN_PROFILES.roleplay.settings.identityName).toBe('');
	});

	it('a stored custom profile round-trips through JSON', () => {
		const stored = CustomProfileSchema.parse({ id: 'mine', base: 'reasoning', overrides: { settings: { thinkTagPolicy: 'forbid' } } });
		const profile = resolveCustomProfile(JSON.parse(JSON.stringify(stored)));
		expect(profile.settings.thinkTagPolicy).toBe('forbid');
		expect(() => resolveCustomProfile({ id: 'x', base: 'nope', overrides: {} })).toThrow();
	});

	it('README lists every rule', () => {
		const readme = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8');
		for (const rule of ALL_RULES) expect(readme, rule.id).toContain(`\`${rule.id}\``);
	});
});
