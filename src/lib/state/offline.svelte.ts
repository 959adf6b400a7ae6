/**
 * Service-worker lifecycle through workbox-window. A new build never takes over an open page by
 * itself: the page shows "a new version is available — reload" and the user chooses when.
 */
import { Workbox } from 'workbox-window';
import { dev } from '$app/environment';

export class OfflineState {
	/** The app is cached and will open without a network. */
	offlineReady = $state(false);
	/** A newer build is installed and waiting for this page to let it take over. */
	updateAvailable = $state(false);
	/** Registration failed (e.g. a browser without service workers): the app still works online. */
	unsupportedReason = $state<string | null>(null);
	#workbox: Workbox | null = null;

	register(): void {
		if (!('serviceWorker' in navigator)) {
			this.unsupportedReason = 'This browser has no service workers, so Skein cannot work offline here.';
			return;
		}
		// The built worker is one self-contained script (classic works in every browser); Vite's dev
		// server serves it as an ES module.
		const workbox = new Workbox('/service-worker.js', { type: dev ? 'module' : 'classic' });
		this.#workbox = workbox;
		workbox.addEventListener('waiting', () => (this.updateAvailable = true));
		workbox.addEventListener('activated', (event) => {
			if (!event.isUpdate) this.offlineReady = true;
		});
		workbox
			.register()
			.then((registration) => {
				if (registration?.active) this.offlineReady = true;
			})
			.catch((error: unknown) => {
				this.unsupportedReason = `Offline mode is unavailable: ${error instanceof Error ? error.message : String(error)}`;
			});
	}

	/** Lets the waiting build take over, then reloads once it controls the page. Edits are already stored. */
	applyUpdate(): void {
		const workbox = this.#workbox;
		if (!workbox) return;
		workbox.addEventListener('controlling', () => window.location.reload());
		workbox.messageSkipWaiting();
	}
}

export const offline = new OfflineState();
