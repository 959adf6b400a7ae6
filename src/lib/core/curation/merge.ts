/**
 * Merging several datasets' entries into one (SPEC §3): exact duplicates — same content hash —
 * collapse into the first occurrence, which gains the duplicates' tags and a note of where they
 * came from; ids already taken by an earlier entry are re-issued.
 *
 * Unlike RoleThread (whose dedup key ignores the system prompt), the key is the full content
 * hash (`hashMessages`: roles, contents, tool calls), so the same turns under two different
 * system prompts are two entries. Entries are expected to carry an up-to-date `hash` (every
 * edit here recomputes it).
 */
import type { Entry } from '../model';

export interface MergeSource {
	/** The dataset's name, used in notes and the report. */
	name: string;
	entries: readonly Entry[];
}

/** Noted on a survivor, in `meta.mergedDuplicates`, for each duplicate collapsed into it. */
export interface MergedDuplicate {
	dataset: string;
	id: string;
}

export interface MergeSourceReport {
	name: string;
	input: number;
	kept: number;
	duplicates: number;
	idsReissued: number;
}

export interface MergeReport {
	input: number;
	output: number;
	duplicatesCollapsed: number;
	idsReissued: number;
	sources: MergeSourceReport[];
	/** Every re-issued id, so a person can find an entry again. */
	reissued: { dataset: string; from: string; to: string }[];
}

export function mergeDatasets(sources: readonly MergeSource[], newId: () => string): { entries: Entry[]; report: MergeReport } {
	const output: Entry[] = [];
	const byHash = new Map<string, number>();
	const usedIds = new Set<string>();
	const report: MergeReport = { input: 0, output: 0, duplicatesCollapsed: 0, idsReissued: 0, sources: [], reissued: [] };

	for (const source of sources) {
		const sourceReport: MergeSourceReport = { name: source.name, input: source.entries.length, kept: 0, duplicates: 0, idsReissued: 0 };
		report.sources.push(sourceReport);
		report.input += source.entries.length;
		for (const entry of source.entries) {
			const survivorAt = byHash.get(entry.hash);
			if (survivorAt !== undefined) {
				output[survivorAt] = absorbDuplicate(output[survivorAt], entry, source.name);
				sourceReport.duplicates++;
				report.duplicatesCollapsed++;
				continue;
			}
			let kept = entry;
			if (usedIds.has(entry.id)) {
				let id = newId();
				// A generator that repeats itself must not create a new collision.
				for (let tries = 0; usedIds.has(id) && tries < 1000; tries++) id = newId();
				if (usedIds.has(id)) id = uniqueSuffix(entry.id, usedIds);
				kept = { ...entry, id };
				report.reissued.push({ dataset: source.name, from: entry.id, to: id });
				sourceReport.idsReissued++;
				report.idsReissued++;
			}
			usedIds.add(kept.id);
			byHash.set(kept.hash, output.length);
			output.push(kept);
			sourceReport.kept++;
		}
	}
	report.output = output.length;
	return { entries: output, report };
}

function uniqueSuffix(id: string, used: ReadonlySet<string>): string {
	let n = 2;
	while (used.has(`${id}-${n}`)) n++;
	return `${id}-${n}`;
}

/** The survivor with the duplicate's tags and character mappings added and the duplicate noted. */
function absorbDuplicate(survivor: Entry, duplicate: Entry, dataset: string): Entry {
	const tags = [...survivor.tags];
	for (const tag of duplicate.tags) if (!tags.includes(tag)) tags.push(tag);
	const previous = survivor.meta.mergedDuplicates;
	const noted: MergedDuplicate[] = Array.isArray(previous) ? (previous as MergedDuplicate[]) : [];
	const characters = survivor.characters || duplicate.characters ? { ...duplicate.characters, ...survivor.characters } : undefined;
	return {
		...survivor,
		tags,
		...(characters ? { characters } : {}),
		meta: { ...survivor.meta, mergedDuplicates: [...noted, { dataset, id: duplicate.id }] }
	};
}
