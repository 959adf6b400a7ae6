/**
 * Repairs: the public API. Each repair is a pure `(entry, ctx) => Entry` that returns the same
 * object when it changes nothing; `split-overlong-conversation` returns `Entry[]`, and exact
 * duplicates are removed with a dataset-level plan (`DuplicateRemovalPlanner`).
 */
import type { Entry } from '../model';
import { mergeConsecutiveSameRole, dropEmptyTrailingUser, dropTrailingUser, moveSystemToFront } from './conversation-shape';
import { substitutePlaceholders } from './placeholders';
import { mapCustomSpeakers, normalizeRoleAliases } from './roles';
import { splitOverlongConversation } from './split';
import { TEMPLATE_EXPANDING_REPAIRS, TEMPLATE_REPAIRS } from './template';
import type { ExpandingRepair, Repair, RepairContext } from './types';
import { trimWhitespace } from './whitespace';

export * from './types';
export { createRepairContext } from './context';
export { diffEntry, type EntryDiff, type FieldChange, type MessageChange } from './diff';
export { applyDuplicateRemoval, DuplicateRemovalPlanner, planExactDuplicateRemoval, REMOVE_EXACT_DUPLICATES, type DuplicateRemovalPlan } from './duplicates';
export { dropEmptyTrailingUser, dropTrailingUser, mapCustomSpeakers, mergeConsecutiveSameRole, moveSystemToFront, normalizeRoleAliases, splitOverlongConversation, substitutePlaceholders, trimWhitespace };

/** Entry-to-entry repairs, in the order `applyRepairs` runs them when several are chosen. */
export const ENTRY_REPAIRS: readonly Repair[] = [
	normalizeRoleAliases,
	mapCustomSpeakers,
	trimWhitespace,
	moveSystemToFront,
	mergeConsecutiveSameRole,
	dropEmptyTrailingUser,
	dropTrailingUser,
	substitutePlaceholders
];

/** The repairs safe to run without review ("repair on import"). */
export const AUTOMATIC_SAFE_REPAIRS: readonly Repair[] = ENTRY_REPAIRS.filter((repair) => repair.kind === 'automatic-safe');

/** Every automatic-safe repair in one step (registry order), for "apply every automatic-safe repair". */
export const ALL_AUTOMATIC_SAFE: Repair = {
	id: 'all-automatic-safe',
	title: 'Apply every automatic-safe repair',
	description: `Runs ${AUTOMATIC_SAFE_REPAIRS.map((repair) => repair.title.toLowerCase()).join(', ')} on every entry, as one step (Undo reverts it).`,
	kind: 'automatic-safe',
	fixes: [...new Set(AUTOMATIC_SAFE_REPAIRS.flatMap((repair) => repair.fixes))],
	apply(entry, ctx) {
		let current = entry;
		for (const repair of AUTOMATIC_SAFE_REPAIRS) current = repair.apply(current, ctx);
		return current;
	}
};

export {
	dropEarlierThink,
	keepThinkOneEntryPerTurn,
	mergeSystemIntoFirstUser,
	splitToTemplateBudget,
	TEMPLATE_EXPANDING_REPAIRS,
	TEMPLATE_REPAIRS,
	truncateToTemplateBudget
} from './template';

export const REPAIRS_BY_ID: ReadonlyMap<string, Repair> = new Map([...ENTRY_REPAIRS, ALL_AUTOMATIC_SAFE, ...TEMPLATE_REPAIRS].map((repair) => [repair.id, repair]));

/** Repairs that turn one entry into several (the parts replace it in place; the first keeps its id). */
export const EXPANDING_REPAIRS_BY_ID: ReadonlyMap<string, ExpandingRepair> = new Map([splitOverlongConversation, ...TEMPLATE_EXPANDING_REPAIRS].map((repair) => [repair.id, repair]));

/**
 * Applies the chosen repairs in registry order (role names before merging, trimming before
 * dropping empty turns). Unknown ids are ignored. Returns the same entry when nothing changed.
 */
export function applyRepairs(entry: Entry, repairIds: Iterable<string>, ctx: RepairContext): Entry {
	const chosen = new Set(repairIds);
	let current = entry;
	for (const repair of ENTRY_REPAIRS) if (chosen.has(repair.id)) current = repair.apply(current, ctx);
	return current;
}
