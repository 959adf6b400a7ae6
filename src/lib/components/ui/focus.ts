/**
 * Keeping keyboard focus where a person expects it when an inline confirm swaps buttons: the safe
 * choice takes focus when the confirm opens, the button that opened it gets it back on "Keep", and
 * when the thing itself is gone focus lands on the main region instead of falling to <body>.
 */

/** Svelte action: focuses the element as it mounts, when `when` is true. */
export function focusOnMount(node: HTMLElement, when: boolean = true): void {
	if (when) queueMicrotask(() => node.focus());
}

/** Focus the page's main region (the layout's `<main id="main" tabindex="-1">`). */
export function focusMain(): void {
	document.getElementById('main')?.focus();
}
