/**
 * Values kept in the `settings` table that the page shows as well as stores (db/profiles-repo,
 * db/settings-keys write them; the pages read them through state classes).
 */
import type { CustomProfile } from '../validation/profiles';
import type { TokenizerId } from '../analysis/tokenizers';

/** A custom validation profile as stored: the user's overrides of a built-in base. */
export interface StoredProfile {
	custom: CustomProfile;
	/** Counts tokens for the over-length rule; absent: characters ÷ 4. */
	tokenizer?: TokenizerId;
}

/** What the dataset list shows about the last validation of a dataset. */
export interface StoredValidationSummary {
	profileId: string;
	errors: number;
	warnings: number;
	datasetUpdatedAt: number;
	at: number;
}

/** What `{{char}}` and `{{user}}` stand for in one dataset. */
export interface DefaultNames {
	char: string;
	user: string;
}
