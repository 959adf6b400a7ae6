/** Identity documents as a run source. */
import { getIdentity } from '$lib/db/identity-repo';
import type { SourceKind } from './types';

export const identitySource: SourceKind<'identity', 'identities'> = {
	noun: 'identity document',
	slot: 'identities',
	async load(ref, { db }) {
		const row = await getIdentity(db, ref.id);
		return row ? { name: row.name, value: row } : null;
	}
};
