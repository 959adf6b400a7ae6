/**
 * Identity documents on the page: the live list (re-read when any tab or the worker writes the
 * table) and the library's worker calls (read one, create, save, delete). The worker validates
 * every write with the core schema.
 */
import { getDatabase } from '$lib/db/database';
import { getIdentity, listIdentities } from '$lib/db/identity-repo';
import { listSamples } from '$lib/db/runs-repo';
import { factText } from '$lib/workers/run-sources/facts';
import { dataWorker } from '$lib/workers/data-bridge';
import type { IdentityDocumentRow } from '$lib/core/contracts/rows';
import type { IdentitySummary } from '$lib/core/contracts/library-summaries';
import { LiveList } from './library.svelte';

/** Every identity document's summary, most recently edited first, live. */
export function liveIdentities(): LiveList<IdentitySummary> {
	return new LiveList<IdentitySummary>(() => listIdentities(getDatabase()));
}

/** One identity document as stored (for a run form's prompt preview). */
export function readIdentity(identityId: string): Promise<IdentityDocumentRow | undefined> {
	return getIdentity(getDatabase(), identityId);
}

/** A fact-extraction run's accepted facts, as a Q&A run reads them (the same factText). */
export async function readAcceptedFacts(runId: string): Promise<string[]> {
	return (await listSamples(getDatabase(), runId, 'accepted')).map(factText).filter((fact) => fact.length > 0);
}

/** The identity library: its live list and the document editor's calls. */
export class IdentityLibraryState {
	readonly list = liveIdentities();

	start(): () => void {
		return this.list.start();
	}

	open(identityId: string) {
		return dataWorker().getIdentity(identityId);
	}

	/** A new document with the usual identities and makers to deny, stored at once. */
	create(name: string) {
		return dataWorker().newIdentity(name);
	}

	save(draft: IdentityDocumentRow) {
		return dataWorker().saveIdentity(draft);
	}

	remove(identityId: string) {
		return dataWorker().deleteIdentity(identityId);
	}
}
