/** Identity questions and answers' form: the identity, a reviewed fact-extraction run, questions per fact. */
import type { NumberText } from '../run-form';
import IdentityQaParams from '../IdentityQaParams.svelte';
import { defineRecipeForm, wholeNumber } from './form';

export interface IdentityQaFields {
	identityId: string;
	factsRunId: string;
	questionsPerFact: NumberText;
}

export const identityQaForm = defineRecipeForm({
	recipeId: 'identity-qa',
	defaults: (): IdentityQaFields => ({ identityId: '', factsRunId: '', questionsPerFact: '3' }),
	prefill(fields: IdentityQaFields, query) {
		const identity = query.get('identity');
		const facts = query.get('facts');
		if (identity) fields.identityId = identity;
		if (facts) fields.factsRunId = facts;
	},
	params(f: IdentityQaFields, errors) {
		if (!f.identityId) errors.identityId = 'Choose an identity document.';
		if (!f.factsRunId) errors.factsRunId = 'Choose a finished fact-extraction run with accepted facts.';
		const perFact = wholeNumber(f.questionsPerFact, 1, 10);
		if (perFact === null) errors.questionsPerFact = 'Questions per fact is a whole number from 1 to 10.';
		return () => ({ identityId: f.identityId, factsRunId: { kind: 'facts', id: f.factsRunId }, questionsPerFact: perFact });
	},
	component: IdentityQaParams,
	props: ({ sources }, f) => ({
		identities: sources.identities.rows,
		factRuns: sources.factRuns(f.identityId),
		loadIdentity: (id: string) => sources.identity(id),
		loadFacts: (runId: string) => sources.acceptedFacts(runId)
	})
});
