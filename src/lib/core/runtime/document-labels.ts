/**
 * Staleness reasons name documents the way the user knows them. A manifest keys what a run read
 * by names the recipes choose ("identity:Tidewatch", "facts:<run id>", "chunk:Childhood",
 * "pool:Keeper prompts", "entry:<entry id>", "system-prompt"), some of them internal ids; this
 * turns a key into a phrase with the source's label (a run's name, a sheet's, a dataset's), from
 * the run's source names (`${kind}:${id}` → label, workers/run-sources).
 */
import type { DocumentLabel } from './manifest';

/** The labeller of a run whose sources are called `sourceNames` (by `${kind}:${id}`). */
export function documentLabels(sourceNames: Record<string, string>): DocumentLabel {
	/** The label of the only source of this kind, when there is exactly one. */
	const only = (kind: string): string | null => {
		const labels = Object.entries(sourceNames)
			.filter(([key]) => key.startsWith(`${kind}:`))
			.map(([, label]) => label);
		return labels.length === 1 ? labels[0] : null;
	};
	return (name) => {
		const colon = name.indexOf(':');
		const kind = colon > 0 ? name.slice(0, colon) : '';
		const rest = name.slice(colon + 1);
		switch (kind) {
			case 'identity':
				return `The identity document "${rest}"`;
			case 'facts': {
				// Keyed by the fact run's id (a rename changes nothing): its name comes from the sources.
				const run = sourceNames[name];
				return run ? `The accepted facts of the run "${run}"` : 'The accepted facts of a fact run';
			}
			case 'chunk': {
				const sheet = only('sheet');
				return sheet ? `The chunk "${rest}" of the character sheet "${sheet}"` : `The chunk "${rest}"`;
			}
			case 'pool':
				return `The prompt pool "${rest}"`;
			case 'entry': {
				const dataset = only('dataset');
				return dataset ? `An entry of the dataset "${dataset}"` : 'An entry of the source dataset';
			}
		}
		if (name === 'system-prompt') return 'The system prompt';
		return `Document "${name}"`;
	};
}
