/**
 * A fact-extraction run as a source: its accepted facts (the reviewer's edit when there is one),
 * in record and sample order, for the follow-up run that asks questions about them.
 */
import type { RunSampleRow } from '$lib/core/contracts/rows';
import { getRun, listSamples } from '$lib/db/runs-repo';
import type { SourceKind } from './types';

/** The text of an accepted fact: the reviewer's edit when there is one. */
export function factText(row: RunSampleRow): string {
	if (row.edited?.length) return row.edited[row.edited.length - 1].content.trim();
	const fact = row.sample.meta.fact;
	if (typeof fact === 'string') return fact;
	return row.sample.messages[row.sample.messages.length - 1]?.content ?? '';
}

export const factsSource: SourceKind<'facts', 'facts'> = {
	noun: 'fact run',
	slot: 'facts',
	async load(ref, { db }) {
		const run = await getRun(db, ref.id);
		if (!run) return null;
		const facts = (await listSamples(db, ref.id, 'accepted')).map(factText).filter((fact) => fact.length > 0);
		return { name: run.label, value: facts };
	}
};
