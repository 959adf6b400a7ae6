/**
 * Work on the page that is not stored yet (an open editor with changes). The update banner waits
 * for it, and leaving the page asks first: an app update never throws away an edit.
 */
class UnsavedWork {
	#holders = $state<Set<string>>(new Set());

	get any(): boolean {
		return this.#holders.size > 0;
	}

	hold(key: string): void {
		if (!this.#holders.has(key)) this.#holders = new Set([...this.#holders, key]);
	}

	release(key: string): void {
		if (this.#holders.has(key)) this.#holders = new Set([...this.#holders].filter((k) => k !== key));
	}
}

export const unsaved = new UnsavedWork();
