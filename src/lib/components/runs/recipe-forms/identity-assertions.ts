/**
 * Identity assertions' form: the identity, which kinds (positive, negative, or both), and the
 * identities and makers the negative questions name: the document's lists (or the usual ones
 * when it has none) to start with, edited here for this run.
 */
import IdentityAssertionsParams from '../IdentityAssertionsParams.svelte';
import { defineRecipeForm } from './form';

export interface IdentityAssertionsFields {
	identityId: string;
	positive: boolean;
	negative: boolean;
	otherIdentities: string[];
	otherMakers: string[];
	/** The identity the lists were filled in from: choosing another fills them again. */
	listsFor: string;
}

const nonBlank = (items: readonly string[] | undefined) => (items ?? []).map((item) => item.trim()).filter(Boolean);

export const identityAssertionsForm = defineRecipeForm({
	recipeId: 'identity-assertions',
	defaults: (): IdentityAssertionsFields => ({ identityId: '', positive: true, negative: true, otherIdentities: [], otherMakers: [], listsFor: '' }),
	prefill(fields: IdentityAssertionsFields, query) {
		const identity = query.get('identity');
		if (identity) fields.identityId = identity;
	},
	params(f: IdentityAssertionsFields, errors) {
		if (!f.identityId) errors.identityId = 'Choose an identity document.';
		if (!f.positive && !f.negative) errors.assertions = 'Include positive assertions, negative ones, or both.';
		const others = nonBlank(f.otherIdentities);
		const makers = nonBlank(f.otherMakers);
		if (f.negative && f.listsFor === f.identityId && !others.length && !makers.length) errors.denyLists = 'Negative questions need at least one identity or maker to deny.';
		// Until the lists are filled in from the document, the run uses the document's own.
		const lists = f.listsFor && f.listsFor === f.identityId ? { otherIdentities: others, otherMakers: makers } : {};
		return () => ({ identityId: f.identityId, positive: f.positive, negative: f.negative, ...lists });
	},
	component: IdentityAssertionsParams,
	props: ({ sources }) => ({ identities: sources.identities.rows, loadIdentity: (id: string) => sources.identity(id) })
});
