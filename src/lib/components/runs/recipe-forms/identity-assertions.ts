/** Identity assertions' form: the identity and which kinds (positive, negative, or both). */
import IdentityAssertionsParams from '../IdentityAssertionsParams.svelte';
import { defineRecipeForm } from './form';

export interface IdentityAssertionsFields {
	identityId: string;
	positive: boolean;
	negative: boolean;
}

export const identityAssertionsForm = defineRecipeForm({
	recipeId: 'identity-assertions',
	defaults: (): IdentityAssertionsFields => ({ identityId: '', positive: true, negative: true }),
	prefill(fields: IdentityAssertionsFields, query) {
		const identity = query.get('identity');
		if (identity) fields.identityId = identity;
	},
	params(f: IdentityAssertionsFields, errors) {
		if (!f.identityId) errors.identityId = 'Choose an identity document.';
		if (!f.positive && !f.negative) errors.assertions = 'Include positive assertions, negative ones, or both.';
		return () => ({ identityId: f.identityId, positive: f.positive, negative: f.negative });
	},
	component: IdentityAssertionsParams,
	props: ({ sources }) => ({ identities: sources.identities.rows })
});
