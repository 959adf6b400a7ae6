/**
 * Identity documents as stored: one row each, validated with the core schema on every write.
 */
import { IdentityDocumentSchema } from '$lib/core/recipes/sources';
import type { SkeinDatabase } from './database';
import type { IdentityDocumentRow } from '$lib/core/contracts/rows';
import type { IdentitySummary } from '$lib/core/contracts/library-summaries';
import { issuePath } from './sheets-repo';


export type IdentityWriteResult = { ok: true; identity: IdentityDocumentRow } | { ok: false; error: string };

export async function listIdentities(db: SkeinDatabase): Promise<IdentitySummary[]> {
	const rows = await db.identityDocuments.orderBy('updatedAt').reverse().toArray();
	return rows.map((row) => ({ id: row.id, name: row.name, iAm: row.iAm, updatedAt: row.updatedAt }));
}

export async function getIdentity(db: SkeinDatabase, id: string): Promise<IdentityDocumentRow | undefined> {
	return db.identityDocuments.get(id);
}

/** Adds or replaces a document; `updatedAt` is set here, `createdAt` kept from the stored row. */
export async function putIdentity(db: SkeinDatabase, value: unknown, now: number = Date.now()): Promise<IdentityWriteResult> {
	const parsed = IdentityDocumentSchema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return { ok: false, error: `${issuePath(issue.path)}: ${issue.message}` };
	}
	const doc = parsed.data;
	return db.transaction('rw', db.identityDocuments, async () => {
		const stored = await db.identityDocuments.get(doc.id);
		const row: IdentityDocumentRow = {
			...doc,
			// Lists are edited line by line: blank lines are not identities.
			otherIdentities: doc.otherIdentities.map((s) => s.trim()).filter((s) => s !== ''),
			otherMakers: doc.otherMakers.map((s) => s.trim()).filter((s) => s !== ''),
			createdAt: stored?.createdAt ?? doc.createdAt,
			updatedAt: now
		};
		await db.identityDocuments.put(row);
		return { ok: true as const, identity: row };
	});
}

export async function deleteIdentity(db: SkeinDatabase, id: string): Promise<boolean> {
	return db.transaction('rw', db.identityDocuments, async () => {
		const exists = (await db.identityDocuments.get(id)) !== undefined;
		if (exists) await db.identityDocuments.delete(id);
		return exists;
	});
}
