/**
 * Validation and repair in the data worker (SPEC §4): runs a profile over a dataset block by
 * block, keeps the findings of the last run per dataset in memory, answers per-entry findings
 * fresh (per-entry rules re-run on the stored entry, so an edit shows at once), previews repairs
 * as before/after diffs, and applies them as one undoable operation.
 *
 * The data service needs a little of validation (the pre-export check, the "has finding" filter,
 * repair on import): `validationForData` gives it that when it is built, answering from the same
 * ValidationRuns the ValidationService fills. Neither service imports the other's implementation:
 *
 *   const runs = new ValidationRuns();
 *   const data = new DataService(db, validationForData(db, runs));
 *   const validation = new ValidationService(db, data, runs);
 */
import type { Entry } from '$lib/core/model';
import {
	BUILTIN_PROFILE_IDS,
	BUILTIN_PROFILES,
	DatasetValidator,
	RULES_BY_ID,
	compileProfile,
	resolveCustomProfile,
	validateEntry,
	withRecordsNotImported,
	type BuiltinProfileId,
	type CompiledProfile,
	type Finding,
	type Profile,
	type RuleCount,
	type ValidationSummary
} from '$lib/core/validation';
import {
	AUTOMATIC_SAFE_REPAIRS,
	DuplicateRemovalPlanner,
	EXPANDING_REPAIRS_BY_ID,
	REPAIRS_BY_ID,
	REMOVE_EXACT_DUPLICATES,
	createRepairContext,
	diffEntry,
	type EntryDiff
} from '$lib/core/repairs';
import { batchOp, deleteOp, type CurationOp, type SpliceOp } from '$lib/core/curation/operations';
import type { SkeinDatabase } from '$lib/db/database';
import { allocateEntryIds, getDataset, getSetting, readBlock, setSetting } from '$lib/db/datasets-repo';
import { readEntryAt } from '$lib/db/entries-repo';
import { listCustomProfiles } from '$lib/db/profiles-repo';
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import { validationProfileKey, validationSummaryKey } from '$lib/db/settings-keys';
import { type StoredValidationSummary } from '$lib/core/contracts/settings';
import type { CurationOutcome, CurationProgress, DataService, DataValidation, PreExportCheck, PreExportChecker } from './data-service';
import { TargetChecks, withTarget } from './template-target';
import type { TargetCheck } from '$lib/core/templates/template-check';

export interface RepairInfo {
	id: string;
	title: string;
	kind: string;
	description: string;
}

export interface RuleRow extends RuleCount {
	title: string;
	description: string;
	/** The repair that fixes it, when there is one. */
	repair?: RepairInfo;
	/** Other repairs that fix it another way; the repair dialog offers the choice. */
	alternatives?: RepairInfo[];
}

/** A repair by id, whichever registry holds it. */
function repairInfo(id: string): RepairInfo | undefined {
	const repair = REPAIRS_BY_ID.get(id) ?? EXPANDING_REPAIRS_BY_ID.get(id) ?? (id === REMOVE_EXACT_DUPLICATES.id ? REMOVE_EXACT_DUPLICATES : undefined);
	return repair ? { id: repair.id, title: repair.title, kind: repair.kind, description: repair.description } : undefined;
}

export interface ValidationReport {
	profileId: string;
	summary: ValidationSummary;
	rules: RuleRow[];
	/**
	 * OpenAI's notebook on the original files would also count these (category → count): records
	 * Skein converted from other shapes, which now have messages (only for the cookbook's categories).
	 */
	convertedRecords?: Record<string, number>;
	durationMs: number;
	/** The training target the template rules checked against ("Gemma 3, max_seq_len 1,024"); absent: the dataset has none. */
	target?: string;
	/** The dataset version validated; a later edit makes the report stale until the next run. */
	datasetUpdatedAt: number;
}

/** Which entries a repair applies to: those with a finding of `rule`, given ids, or list positions (a filter). */
export interface RepairScope {
	rule?: string;
	entryIds?: string[];
	positions?: number[];
	/** Names for {{char}} / {{user}} (the placeholder repair), instead of the profile's. */
	names?: { char?: string; user?: string };
}

export interface EntryFinding extends Finding {
	title: string;
	repairTitle?: string;
}

export interface RepairPreview {
	repairId: string;
	title: string;
	/** Entries the repair would change (with the finding, or all when no rule is given). */
	affected: number;
	samples: { position: number; entryId: string; diff: EntryDiff; newEntries?: EntryDiff[] }[];
	/** Entries a splitting repair would add (0 for the others). */
	created: number;
	/** The names the placeholder repair uses ({{char}}, {{user}}); empty when none is set. */
	names: { char: string; user: string };
}

export interface StoredRun {
	profile: Profile;
	compiled: CompiledProfile;
	report: ValidationReport;
	findings: Finding[];
	/** Entry id → position at the time of the run (for "show me" links). */
	positions: Map<string, number>;
}

const PROFILE_SETTING = validationProfileKey;
const SAMPLE_LIMIT = 5;

/** The last validation run of each dataset, in memory: filled by ValidationService, read by it and by the data service's "has finding" filter. */
export class ValidationRuns {
	private runs = new Map<string, StoredRun>();
	/** The training targets' checks, shared by validation and the pre-export check (their findings are remembered by content). */
	readonly targets = new TargetChecks();

	get(datasetId: string): StoredRun | undefined {
		return this.runs.get(datasetId);
	}

	set(datasetId: string, run: StoredRun): void {
		this.runs.set(datasetId, run);
	}

	/** Entry ids with any of these finding codes in the last run; undefined when the dataset has not been validated. */
	entriesWithFindings(datasetId: string, codes: string[]): ReadonlySet<string> | undefined {
		const run = this.runs.get(datasetId);
		if (!run) return undefined;
		const wanted = new Set(codes);
		return new Set(run.findings.filter((f) => wanted.has(f.rule)).map((f) => f.entryId));
	}
}

/** A built-in or saved custom profile, compiled with its tokenizer (or characters ÷ 4); null when there is none. */
export async function resolveValidationProfile(db: SkeinDatabase, ref: string): Promise<CompiledProfile | null> {
	if ((BUILTIN_PROFILE_IDS as readonly string[]).includes(ref)) return compileProfile(BUILTIN_PROFILES[ref as BuiltinProfileId]);
	const stored = (await listCustomProfiles(db)).find((p) => p.custom.id === ref);
	if (!stored) return null;
	const countTokens = stored.tokenizer ? await loadTokenizer(stored.tokenizer) : undefined;
	return compileProfile(resolveCustomProfile(stored.custom), countTokens ? { countTokens } : {});
}

/** Counts, per rule and per worst severity, the findings of the entries an export would write (none with no profile: it was deleted). */
export function preExportChecker(profileId: string, compiled: CompiledProfile | null): PreExportChecker {
	const ruleCounts = new Map<string, { severity: string; entries: number }>();
	let entriesWithErrors = 0;
	let entriesWithWarnings = 0;
	return {
		add(entry) {
			if (!compiled) return;
			const rules = new Set<string>();
			let worst = 3;
			for (const finding of validateEntry(entry, compiled)) {
				if (!rules.has(finding.rule)) {
					rules.add(finding.rule);
					const count = ruleCounts.get(finding.rule) ?? { severity: finding.severity, entries: 0 };
					count.entries++;
					ruleCounts.set(finding.rule, count);
				}
				worst = Math.min(worst, finding.severity === 'error' ? 1 : finding.severity === 'warning' ? 2 : 3);
			}
			if (worst === 1) entriesWithErrors++;
			else if (worst === 2) entriesWithWarnings++;
		},
		finish(): PreExportCheck {
			return {
				profileId,
				entriesWithErrors,
				entriesWithWarnings,
				rules: [...ruleCounts].map(([rule, c]) => ({ rule, title: RULES_BY_ID.get(rule)?.title ?? rule, severity: c.severity, entries: c.entries }))
			};
		}
	};
}

/** What the data service needs from validation, answered from `runs` and the stored profiles. */
export function validationForData(db: SkeinDatabase, runs: ValidationRuns): DataValidation {
	return {
		preExportCheck: async (profileRef, dataset) => {
			const compiled = await resolveValidationProfile(db, profileRef);
			if (!compiled) return preExportChecker(profileRef, null);
			// The template rules check what the file will hold under the dataset's training target;
			// a target whose tokenizer cannot load leaves them out rather than stopping the export.
			const target = await runs.targets.forDataset(dataset).catch(() => null);
			return preExportChecker(profileRef, withTarget(compiled, target));
		},
		entriesWithFindings: (datasetId, codes) => runs.entriesWithFindings(datasetId, codes),
		repairOnImport
	};
}

/** What validation needs from the data service: positions to ids, and applying a repair as one undoable step. */
export type ValidationData = Pick<DataService, 'idsAt' | 'curate'>;

export class ValidationService {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly data: ValidationData,
		private readonly runs: ValidationRuns,
		private readonly targets = new TargetChecks()
	) {}

	/** The profile a dataset was last checked with: a built-in id or a custom profile's id. */
	async profileOf(datasetId: string): Promise<string> {
		const stored = await getSetting<string>(this.db, PROFILE_SETTING(datasetId));
		if (stored && (await this.resolve(stored))) return stored;
		return 'openai-chat';
	}

	/** A built-in or saved custom profile, compiled with its tokenizer (or characters ÷ 4). */
	resolve(ref: string): Promise<CompiledProfile | null> {
		return resolveValidationProfile(this.db, ref);
	}

	/** Validates the whole dataset with a profile (built-in or custom); remembers it as the dataset's profile. */
	async validate(datasetId: string, profileRef: string, onProgress?: CurationProgress): Promise<ValidationReport> {
		const t0 = performance.now();
		const resolved = await this.resolve(profileRef);
		if (!resolved) throw new Error(`There is no validation profile "${profileRef}" (it may have been deleted).`);
		await setSetting(this.db, PROFILE_SETTING(datasetId), profileRef);
		const dataset = await getDataset(this.db, datasetId);
		if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
		// The template rules need the target's template and tokenizer (loaded on first use).
		const target = await this.targets.forDataset(dataset);
		const compiled = withTarget(resolved, target);
		const profile = compiled.profile;
		const profileId = profileRef;
		const validator = new DatasetValidator(compiled);
		const positions = new Map<string, number>();
		let position = 0;
		const total = dataset.blockSizes.length;
		// The next block is read while this one is checked.
		const read = (blockNo: number) => readBlock(this.db, datasetId, blockNo).then((row) => row?.entries ?? []);
		let next = total > 0 ? read(0) : Promise.resolve([]);
		for (let blockNo = 0; blockNo < total; blockNo++) {
			const block = await next;
			if (blockNo + 1 < total) next = read(blockNo + 1);
			for (const entry of block) positions.set(entry.id, position++);
			validator.add(block);
			onProgress?.(blockNo + 1, total);
		}
		const finished = validator.finish();
		const findings = finished.findings;
		const notImported: Record<string, number> = {};
		for (const file of dataset.report?.files ?? []) for (const [rule, n] of Object.entries(file.cookbookNotImported ?? {})) notImported[rule] = (notImported[rule] ?? 0) + n;
		const summary = withRecordsNotImported(finished.summary, notImported, compiled);
		const converted: Record<string, number> = {};
		if (compiled.entryRules.some(({ rule }) => rule.id === 'missing_messages_list'))
			for (const file of dataset.report?.files ?? []) for (const [rule, n] of Object.entries(file.cookbookConverted ?? {})) converted[rule] = (converted[rule] ?? 0) + n;
		const report: ValidationReport = {
			profileId,
			summary,
			rules: summary.byRule.map((count) => this.describeRule(count)),
			...(Object.keys(converted).length > 0 ? { convertedRecords: converted } : {}),
			durationMs: performance.now() - t0,
			...(target ? { target: target.label } : {}),
			datasetUpdatedAt: dataset.updatedAt
		};
		this.runs.set(datasetId, { profile, compiled, report, findings, positions });
		// The dataset list shows the last check's counts (findings themselves stay in memory).
		await setSetting(this.db, validationSummaryKey(datasetId), {
			profileId,
			errors: summary.bySeverity.error,
			warnings: summary.bySeverity.warning,
			datasetUpdatedAt: dataset.updatedAt,
			at: Date.now()
		} satisfies StoredValidationSummary);
		return report;
	}

	lastReport(datasetId: string): ValidationReport | null {
		return this.runs.get(datasetId)?.report ?? null;
	}

	private describeRule(count: RuleCount): RuleRow {
		const rule = RULES_BY_ID.get(count.rule);
		const repair = rule?.repair ? repairInfo(rule.repair) : undefined;
		const alternatives = (rule?.alternativeRepairs ?? []).map(repairInfo).filter((info): info is RepairInfo => info !== undefined);
		return {
			...count,
			title: rule?.title ?? count.rule,
			description: rule?.description ?? '',
			...(repair ? { repair } : {}),
			...(repair && alternatives.length > 0 ? { alternatives } : {})
		};
	}

	/** The profile of the last run (or the dataset's), with the dataset's current target attached. */
	private async compiledFor(datasetId: string): Promise<CompiledProfile> {
		const run = this.runs.get(datasetId);
		const compiled = run ? run.compiled : ((await this.resolve(await this.profileOf(datasetId))) ?? compileProfile(BUILTIN_PROFILES['openai-chat']));
		return withTarget(compiled, await this.targets.forDataset(await getDataset(this.db, datasetId)));
	}

	/**
	 * Findings for the entry at a position: per-entry rules re-run on the stored entry (fresh
	 * after an edit); dataset-level ones (duplicates) from the last full run.
	 */
	async entryFindings(datasetId: string, position: number): Promise<EntryFinding[]> {
		const entry = await readEntryAt(this.db, datasetId, position);
		if (!entry) return [];
		const compiled = await this.compiledFor(datasetId);
		const fresh = validateEntry(entry, compiled);
		const datasetLevel = new Set(compiled.datasetRules.map((r) => r.rule.id));
		const fromRun = (this.runs.get(datasetId)?.findings ?? []).filter((f) => f.entryId === entry.id && datasetLevel.has(f.rule));
		return [...fresh, ...fromRun].map((finding) => {
			const repair = finding.repair ? repairInfo(finding.repair) : undefined;
			return { ...finding, title: RULES_BY_ID.get(finding.rule)?.title ?? finding.rule, ...(repair ? { repairTitle: repair.title } : {}) };
		});
	}

	/** Positions (as of the last run) of entries with a finding of `rule`, for "show me". */
	positionsWithFinding(datasetId: string, rule: string): number[] {
		const run = this.runs.get(datasetId);
		if (!run) return [];
		const positions = new Set<number>();
		for (const finding of run.findings) {
			if (finding.rule !== rule) continue;
			const position = run.positions.get(finding.entryId);
			if (position !== undefined) positions.add(position);
		}
		return [...positions].sort((a, b) => a - b);
	}

	/** The profile's repair context, with the names the user typed for the placeholders. */
	private async repairContext(datasetId: string, scope: RepairScope) {
		const compiled = await this.compiledFor(datasetId);
		const char = scope.names?.char?.trim();
		const user = scope.names?.user?.trim();
		const templateBudget = compiled.ctx.template as TargetCheck | undefined;
		return createRepairContext({ ...compiled.ctx, ...(char ? { identityName: char } : {}), ...(user ? { userName: user } : {}), ...(templateBudget ? { templateBudget } : {}) });
	}

	/** The entries a repair would change, scoped to those with a finding of `rule` (if given). */
	private async *changesOf(datasetId: string, repairId: string, scope: RepairScope): AsyncGenerator<{ position: number; before: Entry; after: Entry[] }> {
		const repair = REPAIRS_BY_ID.get(repairId);
		const expanding = EXPANDING_REPAIRS_BY_ID.get(repairId);
		if (!repair && !expanding) throw new Error(`Unknown repair "${repairId}".`);
		const ctx = await this.repairContext(datasetId, scope);
		const run = this.runs.get(datasetId);
		const entryIds = scope.positions ? await this.data.idsAt(datasetId, scope.positions) : scope.entryIds;
		const targeted = entryIds
			? new Set(entryIds)
			: scope.rule && run
				? new Set(run.findings.filter((f) => f.rule === scope.rule).map((f) => f.entryId))
				: null;
		const dataset = await getDataset(this.db, datasetId);
		if (!dataset) return;
		let position = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, datasetId, blockNo))?.entries ?? [];
			for (const entry of block) {
				if (!targeted || targeted.has(entry.id)) {
					if (repair) {
						const after = repair.apply(entry, ctx);
						if (after !== entry) yield { position, before: entry, after: [after] };
					} else if (expanding) {
						const after = expanding.apply(entry, ctx);
						if (after.length !== 1 || after[0] !== entry) yield { position, before: entry, after };
					}
				}
				position++;
			}
		}
	}

	/** Exact duplicates: keep the first of each, merge the others' tags into it, delete the others. */
	private async duplicatePlan(datasetId: string): Promise<{ op: CurationOp; deleted: number; firstPositions: number[] }> {
		const dataset = await getDataset(this.db, datasetId);
		const planner = new DuplicateRemovalPlanner();
		const positions = new Map<string, number>();
		let position = 0;
		for (let blockNo = 0; blockNo < (dataset?.blockSizes.length ?? 0); blockNo++) {
			const block = (await readBlock(this.db, datasetId, blockNo))?.entries ?? [];
			for (const entry of block) positions.set(entry.id, position++);
			planner.add(block);
		}
		const plan = planner.finish();
		const groups = [...plan.mergedTags].map(([id, tags]) => ({ tags, ids: [id] }));
		const op = batchOp([...(groups.length ? [{ kind: 'set-tags' as const, groups }] : []), deleteOp(plan.deleteIds)]);
		return { op, deleted: plan.deleteIds.length, firstPositions: plan.deleteIds.slice(0, SAMPLE_LIMIT).map((id) => positions.get(id) ?? -1) };
	}

	async previewRepair(datasetId: string, repairId: string, scope: RepairScope = {}): Promise<RepairPreview> {
		if (repairId === REMOVE_EXACT_DUPLICATES.id) {
			const plan = await this.duplicatePlan(datasetId);
			const samples: RepairPreview['samples'] = [];
			for (const position of plan.firstPositions) {
				const entry = await readEntryAt(this.db, datasetId, position);
				// Shown as every message removed: the whole entry goes.
				if (entry) samples.push({ position, entryId: entry.id, diff: diffEntry(entry, { ...entry, messages: [] }) });
			}
			return { repairId, title: REMOVE_EXACT_DUPLICATES.title, affected: plan.deleted, created: 0, samples, names: { char: '', user: '' } };
		}
		const repair = repairInfo(repairId);
		if (!repair) throw new Error(`Unknown repair "${repairId}".`);
		const samples: RepairPreview['samples'] = [];
		let affected = 0;
		let created = 0;
		for await (const change of this.changesOf(datasetId, repairId, scope)) {
			affected++;
			created += change.after.length - 1;
			if (samples.length >= SAMPLE_LIMIT) continue;
			const [first, ...rest] = change.after;
			samples.push({
				position: change.position,
				entryId: change.before.id,
				diff: diffEntry(change.before, first ?? { ...change.before, messages: [] }),
				// A new entry is shown as all its messages added.
				...(rest.length > 0 ? { newEntries: rest.map((part) => diffEntry({ ...part, messages: [] }, part)) } : {})
			});
		}
		const ctx = await this.repairContext(datasetId, scope);
		return { repairId, title: repair.title, affected, created, samples, names: { char: ctx.identityName, user: ctx.userName } };
	}

	/** Applies a repair to every entry in scope as one undoable step. */
	async applyRepair(datasetId: string, repairId: string, scope: RepairScope = {}, onProgress?: CurationProgress): Promise<CurationOutcome> {
		if (repairId === REMOVE_EXACT_DUPLICATES.id) {
			const plan = await this.duplicatePlan(datasetId);
			return this.data.curate(datasetId, plan.op, `Remove ${plan.deleted.toLocaleString('en-US')} exact duplicates`, onProgress);
		}
		const repair = repairInfo(repairId);
		if (!repair) throw new Error(`Unknown repair "${repairId}".`);
		const replace: SpliceOp['replace'] = [];
		for await (const change of this.changesOf(datasetId, repairId, scope)) replace.push({ id: change.before.id, with: change.after });
		// The parts a split adds get the dataset's next free ids (the repair named them after their source).
		const added = replace.reduce((n, r) => n + Math.max(0, r.with.length - 1), 0);
		if (added > 0) {
			const ids = await allocateEntryIds(this.db, datasetId, added);
			let next = 0;
			for (const r of replace) r.with = r.with.map((entry, i) => (i === 0 ? entry : { ...entry, id: ids[next++] }));
		}
		const label = `${repair.title} (${replace.length.toLocaleString('en-US')} ${replace.length === 1 ? 'entry' : 'entries'})`;
		return this.data.curate(datasetId, { kind: 'splice', replace, insert: [], append: [] }, label, onProgress);
	}
}

/** Applies the automatic-safe repairs to an imported entry (the opt-in "repair on import"). */
export function repairOnImport(entry: Entry, counts: Map<string, number>): Entry {
	const ctx = createRepairContext();
	let current = entry;
	for (const repair of AUTOMATIC_SAFE_REPAIRS) {
		const next = repair.apply(current, ctx);
		if (next !== current) counts.set(repair.title, (counts.get(repair.title) ?? 0) + 1);
		current = next;
	}
	return current;
}

/** The validation service's part of the worker's API (data.worker.ts). */
export function validationApi(db: SkeinDatabase, data: ValidationData, runs: ValidationRuns) {
	const validation = new ValidationService(db, data, runs, runs.targets);
	return {
		validate: (datasetId: string, profileRef: string, onProgress?: CurationProgress) => validation.validate(datasetId, profileRef, onProgress),
		lastValidation: (datasetId: string) => validation.lastReport(datasetId),
		validationProfile: (datasetId: string) => validation.profileOf(datasetId),
		entryFindings: (datasetId: string, position: number) => validation.entryFindings(datasetId, position),
		positionsWithFinding: (datasetId: string, rule: string) => validation.positionsWithFinding(datasetId, rule),
		previewRepair: (datasetId: string, repairId: string, scope?: RepairScope) => validation.previewRepair(datasetId, repairId, scope),
		applyRepair: (datasetId: string, repairId: string, scope?: RepairScope, onProgress?: CurationProgress) => validation.applyRepair(datasetId, repairId, scope, onProgress)
	};
}
