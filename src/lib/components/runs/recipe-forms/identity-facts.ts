/** Identity fact extraction's form: the identity document and how many facts per passage. */
import type { NumberText } from '../run-form';
import IdentityFactsParams from '../IdentityFactsParams.svelte';
import { defineRecipeForm, wholeNumber } from './form';

export interface IdentityFactsFields {
	identityId: string;
	factsPerPassage: NumberText;
}

export const identityFactsForm = defineRecipeForm({
	recipeId: 'identity-facts',
	defaults: (): IdentityFactsFields => ({ identityId: '', factsPerPassage: '8' }),
	prefill(fields: IdentityFactsFields, query) {
		const identity = query.get('identity');
		if (identity) fields.identityId = identity;
	},
	params(f: IdentityFactsFields, errors) {
		if (!f.identityId) errors.identityId = 'Choose an identity document.';
		const perPassage = wholeNumber(f.factsPerPassage, 1, 50);
		if (perPassage === null) errors.factsPerPassage = 'Facts per passage is a whole number from 1 to 50.';
		return () => ({ identityId: f.identityId, factsPerPassage: perPassage });
	},
	component: IdentityFactsParams,
	props: ({ sources }) => ({ identities: sources.identities.rows, loadIdentity: (id: string) => sources.identity(id) })
});
