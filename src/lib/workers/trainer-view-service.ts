/**
 * The trainer view's part of the data worker's API. The Jinja engine, the families' templates and
 * the rendering code (trainer-view-render.ts) are loaded the first time a view or a custom-template
 * check asks for them, so the worker starts without them.
 */
import type { Entry } from '$lib/core/model';
import type { CustomTargetCheck, CustomTargetInput } from '$lib/core/templates/custom-target';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import type { TrainerView } from './trainer-view-render';

export type { TrainerView, TrainerTokens } from './trainer-view-render';

const render = () => import('./trainer-view-render');

export function trainerViewApi() {
	return {
		trainerView: async (entry: Pick<Entry, 'messages' | 'extra'>, target: TemplateTarget): Promise<TrainerView> => (await render()).trainerView(entry, target),
		checkCustomTarget: async (input: CustomTargetInput): Promise<CustomTargetCheck> => (await render()).checkCustomTarget(input)
	};
}
