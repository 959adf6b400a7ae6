/**
 * Svelte action: calls `callback` when the node scrolls into view (with a margin, so the next
 * page of a long list is ready before it is needed). Lists of thousands of messages render a
 * page at a time this way instead of all at once.
 */
export function whenVisible(node: HTMLElement, callback: () => void) {
	let current = callback;
	const observer = new IntersectionObserver((records) => {
		if (records.some((record) => record.isIntersecting)) current();
	}, { rootMargin: '600px 0px' });
	observer.observe(node);
	return {
		update(next: () => void) {
			current = next;
		},
		destroy() {
			observer.disconnect();
		}
	};
}
