/**
 * The identity document a recipe form names, read whenever the choice changes (for its prompt
 * preview and the lists it starts from). A stale read, for a choice since changed, is dropped.
 */
import { untrack } from 'svelte';
import type { IdentityDocumentRow } from '$lib/core/contracts/rows';

export class LoadedIdentity {
	doc = $state<IdentityDocumentRow | null>(null);
	problem = $state<string | null>(null);

	/** Call inside a component: follows `id()` with an effect. */
	constructor(id: () => string, load: (id: string) => Promise<IdentityDocumentRow | undefined>) {
		$effect(() => {
			const current = id();
			this.doc = null;
			this.problem = null;
			if (!current) return;
			let live = true;
			// Only the choice is followed: the loader prop is rebuilt with the form's other props.
			untrack(() => load(current))
				.then((row) => {
					if (!live) return;
					this.doc = row ?? null;
					if (!row) this.problem = 'This identity document no longer exists.';
				})
				.catch((error: unknown) => {
					if (live) this.problem = `The identity document could not be read: ${error instanceof Error ? error.message : String(error)}`;
				});
			return () => {
				live = false;
			};
		});
	}
}
