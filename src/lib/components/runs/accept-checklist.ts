/**
 * The quality checklist shown after samples are accepted into a dataset: the analysis checklist
 * (volume ≥ 1,000 for identity work, a sampled review, no garbage, diverse prompts…) plus what a
 * generated dataset needs besides: a mix of sources, and no rehearsal samples left in it.
 */
import { buildChecklist, type CheckItem, type CheckStatus } from '$lib/core/analysis/checklist';
import { promptDiversity } from '$lib/core/analysis/diversity';
import type { StructureAnalysis } from '$lib/core/analysis/structure';

export interface AcceptCheckItem {
	id: CheckItem['id'] | 'sources' | 'rehearsal';
	label: string;
	status: CheckStatus;
	detail: string;
}

/** Tags that say where an entry came from (recipes tag their samples with them). */
export const SOURCE_TAGS = ['generated', 'chunked', 'identity', 'assertion', 'pool', 'continuation'] as const;

export function acceptChecklist(structure: StructureAnalysis): AcceptCheckItem[] {
	const items: AcceptCheckItem[] = buildChecklist({
		structure,
		tokens: null,
		diversity: promptDiversity(structure.prompts.withPrompt, structure.prompts.exactRedundant, null),
		sampleReviewed: 0
	}).filter((item) => item.id !== 'voice');

	const n = structure.entries;
	const tagCount = (slug: string) => structure.tags.top.find((t) => t.tag === slug)?.count ?? 0;
	const generated = tagCount('generated');
	const handWritten = n - generated;
	const recipeTags = structure.tags.top.filter((t) => t.tag !== 'generated' && t.tag !== 'rehearsal' && (SOURCE_TAGS as readonly string[]).includes(t.tag));
	const mixed = (handWritten > 0 && generated > 0) || recipeTags.length >= 2;
	items.push({
		id: 'sources',
		label: 'A mix of sources',
		status: n === 0 ? 'fail' : mixed ? 'pass' : 'warn',
		detail:
			`${generated.toLocaleString('en-US')} generated, ${handWritten.toLocaleString('en-US')} from elsewhere` +
			(recipeTags.length ? ` (${recipeTags.map((t) => `${t.tag}: ${t.count.toLocaleString('en-US')}`).join(', ')})` : '') +
			(mixed ? '.' : '. One source alone teaches one way of speaking: add entries from another recipe or real conversations.')
	});

	const rehearsal = tagCount('rehearsal');
	items.push({
		id: 'rehearsal',
		label: 'No rehearsal samples',
		status: rehearsal === 0 ? 'pass' : 'fail',
		detail: rehearsal === 0 ? 'No entry is tagged “rehearsal”.' : `${rehearsal.toLocaleString('en-US')} entries are canned rehearsal answers: remove them (tag “rehearsal”) before training.`
	});
	return items;
}
