/**
 * Planning a restore: each top-level thing in the backup (a dataset, a tag, a run …) is compared
 * with what this browser already holds — by id, and by content — and gets the choices that make
 * sense for it, with a safe default:
 *
 * - new                 → added;
 * - same id, same content (`identical`) → skipped (nothing to do), or replaced;
 * - same id, other content (`conflict`) → keep both (the restored one gets a new id and
 *   "(restored)" after its name) where the kind allows it, replace, or skip — keep both by default,
 *   skip where keeping both is not possible (a tag, a setting, a registry row: their id is their name);
 * - other id, same content (`same-content`) → skipped by default, or kept as well.
 *
 * `decide` turns the user's choices into what the writer does per item.
 */
import { hashText } from '../hash';
import { KEEP_BOTH_KINDS, type ItemKind } from './layout';

export interface BackupItem {
	kind: ItemKind;
	id: string;
	label: string;
	/** Hash of the whole row. */
	fingerprint: string;
	/** Hash of the row without its id (the same thing stored under another id). */
	contentFingerprint: string;
}

export type ItemStatus = 'new' | 'identical' | 'conflict' | 'same-content';
export type Choice = 'add' | 'skip' | 'replace' | 'keep-both';

export interface PlannedItem {
	kind: ItemKind;
	id: string;
	label: string;
	status: ItemStatus;
	/** The thing in this browser it collides with. */
	existing?: { id: string; label: string };
	choices: Choice[];
	choice: Choice;
}

export type Decision = { action: 'add' | 'replace' | 'skip' } | { action: 'keep-both'; newId: string; newLabel: string };

/** A key for an item in maps and in the choices the page sends back. */
export function itemKey(kind: ItemKind, id: string): string {
	return `${kind}:${id}`;
}

/** JSON with object keys sorted, so equal rows give equal text. */
export function stableJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	const record = value as Record<string, unknown>;
	return `{${Object.keys(record)
		.filter((key) => record[key] !== undefined)
		.sort()
		.map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
		.join(',')}}`;
}

/** An item's fingerprints from its (encoded) row and its key field. */
export function describeItem(kind: ItemKind, row: Record<string, unknown>, keyField: string, labelField: string | null): BackupItem {
	const id = String(row[keyField]);
	const withoutId = { ...row };
	delete withoutId[keyField];
	const label = labelField && typeof row[labelField] === 'string' ? (row[labelField] as string) : id;
	return { kind, id, label, fingerprint: hashText(stableJson(row)), contentFingerprint: hashText(stableJson(withoutId)) };
}

export function planRestore(backup: readonly BackupItem[], existing: readonly BackupItem[]): PlannedItem[] {
	const byId = new Map(existing.map((item) => [itemKey(item.kind, item.id), item]));
	const byContent = new Map<string, BackupItem>();
	for (const item of existing) byContent.set(`${item.kind}:${item.contentFingerprint}`, item);
	return backup.map((item): PlannedItem => {
		const keepBoth = KEEP_BOTH_KINDS.has(item.kind);
		const same = byId.get(itemKey(item.kind, item.id));
		const base = { kind: item.kind, id: item.id, label: item.label };
		if (same) {
			const existingRef = { id: same.id, label: same.label };
			if (same.fingerprint === item.fingerprint) {
				return { ...base, status: 'identical', existing: existingRef, choices: keepBoth ? ['skip', 'replace', 'keep-both'] : ['skip', 'replace'], choice: 'skip' };
			}
			return {
				...base,
				status: 'conflict',
				existing: existingRef,
				choices: keepBoth ? ['keep-both', 'replace', 'skip'] : ['skip', 'replace'],
				choice: keepBoth ? 'keep-both' : 'skip'
			};
		}
		const twin = keepBoth ? byContent.get(`${item.kind}:${item.contentFingerprint}`) : undefined;
		if (twin) return { ...base, status: 'same-content', existing: { id: twin.id, label: twin.label }, choices: ['skip', 'add'], choice: 'skip' };
		return { ...base, status: 'new', choices: ['add', 'skip'], choice: 'add' };
	});
}

/** What the writer does with each item, keyed by itemKey; unknown or not-allowed choices fall back to the default. */
export function decide(plan: readonly PlannedItem[], choices: Readonly<Record<string, Choice>>, newId: () => string): Map<string, Decision> {
	const decisions = new Map<string, Decision>();
	for (const item of plan) {
		const asked = choices[itemKey(item.kind, item.id)];
		const choice = asked && item.choices.includes(asked) ? asked : item.choice;
		const key = itemKey(item.kind, item.id);
		if (choice === 'keep-both') decisions.set(key, { action: 'keep-both', newId: newId(), newLabel: `${item.label} (restored)` });
		else decisions.set(key, { action: choice });
	}
	return decisions;
}

export interface PlanSummary {
	kind: ItemKind;
	total: number;
	new: number;
	identical: number;
	conflict: number;
	sameContent: number;
}

export function summarizePlan(plan: readonly PlannedItem[]): PlanSummary[] {
	const byKind = new Map<ItemKind, PlanSummary>();
	for (const item of plan) {
		const summary = byKind.get(item.kind) ?? { kind: item.kind, total: 0, new: 0, identical: 0, conflict: 0, sameContent: 0 };
		summary.total++;
		if (item.status === 'new') summary.new++;
		else if (item.status === 'identical') summary.identical++;
		else if (item.status === 'conflict') summary.conflict++;
		else summary.sameContent++;
		byKind.set(item.kind, summary);
	}
	return [...byKind.values()];
}
