/**
 * The trainer view's calls to the data worker: an entry rendered and tokenized under its dataset's
 * target, and the check of a custom template before the target control stores it. A newer request
 * replaces an older one (moving through entries quickly shows the last one chosen).
 */
import type { Entry } from '$lib/core/model';
import type { CustomTargetCheck, CustomTargetInput } from '$lib/core/templates/custom-target';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import { dataWorker } from '$lib/workers/data-bridge';
import type { TrainerView } from '$lib/workers/trainer-view-service';

export class TrainerViewState {
	view = $state.raw<TrainerView | null>(null);
	loading = $state(false);
	error = $state<string | null>(null);
	#request = 0;

	async show(entry: Pick<Entry, 'messages' | 'extra'>, target: TemplateTarget): Promise<void> {
		const request = ++this.#request;
		this.loading = true;
		this.error = null;
		try {
			const view = await dataWorker().trainerView({ messages: entry.messages, extra: entry.extra }, target);
			if (request === this.#request) this.view = view;
		} catch (error) {
			if (request === this.#request) {
				this.view = null;
				this.error = `The entry could not be rendered: ${error instanceof Error ? error.message : String(error)}`;
			}
		} finally {
			if (request === this.#request) this.loading = false;
		}
	}
}

/** Checks a custom template (in the worker, where the Jinja engine is). */
export function checkCustomTarget(input: CustomTargetInput): Promise<CustomTargetCheck> {
	return dataWorker().checkCustomTarget(input);
}
