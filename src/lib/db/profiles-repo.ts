/**
 * Custom validation profiles (a built-in profile plus the user's overrides), kept in the settings
 * table so page and worker read the same list. Stored as overrides, not as whole profiles, so a
 * later improvement of the built-in base still reaches them.
 */
import { CustomProfileSchema } from '$lib/core/validation/profiles';
import type { TokenizerId } from '$lib/core/analysis/tokenizers';
import type { StoredProfile } from '$lib/core/contracts/settings';
import type { SkeinDatabase } from './database';
import { getSetting, setSetting } from './datasets-repo';

export const CUSTOM_PROFILES_SETTING = 'customProfiles';


/** The saved profiles; entries that no longer parse are skipped (never crash the panel). */
export async function listCustomProfiles(db: SkeinDatabase): Promise<StoredProfile[]> {
	const stored = (await getSetting<unknown[]>(db, CUSTOM_PROFILES_SETTING)) ?? [];
	const profiles: StoredProfile[] = [];
	for (const item of Array.isArray(stored) ? stored : []) {
		const custom = CustomProfileSchema.safeParse((item as { custom?: unknown })?.custom);
		if (!custom.success) continue;
		const tokenizer = (item as { tokenizer?: TokenizerId }).tokenizer;
		profiles.push({ custom: custom.data, ...(tokenizer ? { tokenizer } : {}) });
	}
	return profiles;
}

/** Saves (or replaces, by id) a custom profile. */
export async function saveCustomProfile(db: SkeinDatabase, profile: StoredProfile): Promise<void> {
	const checked = CustomProfileSchema.parse(profile.custom);
	const profiles = (await listCustomProfiles(db)).filter((p) => p.custom.id !== checked.id);
	profiles.push({ ...profile, custom: checked });
	await setSetting(db, CUSTOM_PROFILES_SETTING, profiles);
}

export async function deleteCustomProfile(db: SkeinDatabase, id: string): Promise<void> {
	await setSetting(
		db,
		CUSTOM_PROFILES_SETTING,
		(await listCustomProfiles(db)).filter((p) => p.custom.id !== id)
	);
}
