/**
 * Running a profile's rules: over one entry (`validateEntry`, for incremental validation after an
 * edit), over a raw import record (`validateRawRecord`), and over a whole dataset streamed block
 * by block (`DatasetValidator`, for the worker).
 *
 * Nothing here throws on malformed input: every rule call is wrapped, and a rule that throws
 * becomes an `internal-error` finding for that entry instead of stopping the run.
 */
import type { Entry } from '../model';
import { createValidationContext, type ContextOptions } from './context';
import { asAnswerFinding, checksAnswers, chosenView } from './answers';
import { clearEntryShapeCache } from './entry-shape';
import { entryIdOf } from './inspect';
import type { Profile } from './profiles';
import { DATASET_RULES, ENTRY_RULES } from './rules';
import type { DatasetRule, DatasetRulePass, EntryRule, Finding, Severity, ValidationContext } from './types';

/** Rule id of findings that report a rule's own failure (a bug in Skein, not in the data). */
export const INTERNAL_ERROR_RULE = 'internal-error';

interface ActiveEntryRule {
	rule: EntryRule;
	severity: Severity;
}

interface ActiveDatasetRule {
	rule: DatasetRule;
	severity: Severity;
}

/**
 * A profile prepared for running: the enabled rules in run order with their severities, and
 * the context. Compile once per run; `validateEntry` accepts either form.
 */
export interface CompiledProfile {
	readonly profile: Profile;
	readonly ctx: ValidationContext;
	readonly entryRules: readonly ActiveEntryRule[];
	readonly datasetRules: readonly ActiveDatasetRule[];
}

export function compileProfile(profile: Profile, options: ContextOptions = {}): CompiledProfile {
	const ctx = createValidationContext(profile.settings, options);
	const enabled = (id: string) => profile.rules[id]?.enabled === true;
	const severity = (id: string, fallback: Severity) => profile.rules[id]?.severity ?? fallback;
	const active = ENTRY_RULES.filter((rule) => enabled(rule.id)).map((rule) => ({ rule, severity: severity(rule.id, rule.defaultSeverity) }));
	// Guards run first so that they can halt the rest.
	const entryRules = [...active.filter((a) => a.rule.halts === true), ...active.filter((a) => a.rule.halts !== true)];
	const datasetRules = DATASET_RULES.filter((rule) => enabled(rule.id)).map((rule) => ({ rule, severity: severity(rule.id, rule.defaultSeverity) }));
	return { profile, ctx, entryRules, datasetRules };
}

function describeError(error: unknown): string {
	if (error instanceof Error) return error.message;
	try {
		return String(error);
	} catch {
		return 'unknown error';
	}
}

function internalError(ruleId: string, entry: unknown, error: unknown): Finding {
	return {
		rule: INTERNAL_ERROR_RULE,
		severity: 'warning',
		entryId: entryIdOf(entry),
		message: `The check "${ruleId}" could not run on this entry (${describeError(error)}). This is a bug in Skein, not in the data.`,
		repairKind: 'manual'
	};
}

function runEntryRules(entry: unknown, compiled: CompiledProfile): Finding[] {
	// The shape cache is keyed on object identity; an entry edited in place must be re-read.
	clearEntryShapeCache();
	const findings: Finding[] = [];
	const ctx = compiled.ctx;
	ctx.template?.reset();
	for (const { rule, severity } of compiled.entryRules) {
		let found: Finding[];
		try {
			found = rule.check(entry as Entry, ctx);
		} catch (error) {
			findings.push(internalError(rule.id, entry, error));
			continue;
		}
		if (found.length === 0) continue;
		for (const finding of found) {
			finding.severity = severity;
			findings.push(finding);
		}
		if (rule.halts === true) return findings;
	}
	const chosen = chosenView(entry);
	if (chosen !== null) findings.push(...answerFindings(chosen.view, chosen.answerStart, compiled));
	return findings;
}

/** What the rules that look into answers find in a pair's chosen answer (answers.ts). */
function answerFindings(view: Record<string, unknown>, answerStart: number, compiled: CompiledProfile): Finding[] {
	clearEntryShapeCache();
	const findings: Finding[] = [];
	for (const { rule, severity } of compiled.entryRules) {
		if (!checksAnswers(rule)) continue;
		let found: Finding[];
		try {
			found = rule.check(view as unknown as Entry, compiled.ctx);
		} catch (error) {
			findings.push(internalError(rule.id, view, error));
			continue;
		}
		for (const finding of found) {
			const about = asAnswerFinding(finding, answerStart);
			if (about === null) continue;
			about.severity = severity;
			findings.push(about);
		}
	}
	return findings;
}

function compiledFrom(profile: Profile | CompiledProfile, ctx?: ValidationContext): CompiledProfile {
	const compiled = 'entryRules' in profile ? profile : compileProfile(profile);
	return ctx === undefined ? compiled : { ...compiled, ctx };
}

/**
 * Findings of the profile's per-entry rules for one entry (dataset rules such as duplicates need
 * the whole dataset: use `DatasetValidator`). Pass a `CompiledProfile` when validating many.
 */
export function validateEntry(entry: Entry, profile: Profile | CompiledProfile, ctx?: ValidationContext): Finding[] {
	return runEntryRules(entry, compiledFrom(profile, ctx));
}

export interface RawRecordOptions {
	/** Id to report (e.g. "line 12"); default the record's own `id` when it is a string. */
	entryId?: string;
	ctx?: ValidationContext;
}

/**
 * Findings for an unparsed import record (any JSON value), as the OpenAI cookbook check sees a
 * JSONL line: with the `openai-cookbook` profile this counts `data_type` and
 * `missing_messages_list` exactly, because those need the record before conversion.
 */
export function validateRawRecord(value: unknown, profile: Profile | CompiledProfile, options: RawRecordOptions = {}): Finding[] {
	const findings = runEntryRules(value, compiledFrom(profile, options.ctx));
	if (options.entryId !== undefined) for (const finding of findings) finding.entryId = options.entryId;
	return findings;
}

export interface RuleCount {
	rule: string;
	severity: Severity;
	/** Findings of this rule (the cookbook's per-message categories count messages). */
	findings: number;
	/** Entries with at least one finding of this rule. */
	entries: number;
	/** Findings of this rule in records the importer refused (counted by OpenAI's notebook all the same). */
	notImported?: number;
}

export interface ValidationSummary {
	entries: number;
	/** Entries with at least one error. */
	entriesWithErrors: number;
	/** Entries with warnings but no error. */
	entriesWithWarningsOnly: number;
	/** Entries with no error and no warning (info findings do not count). */
	entriesClean: number;
	bySeverity: Record<Severity, number>;
	/** Per rule, in rule order; only rules that found something. */
	byRule: RuleCount[];
}

export interface DatasetValidationResult {
	/** Every finding when `keepFindings` is on (the default), else only the dataset-level ones. */
	findings: Finding[];
	summary: ValidationSummary;
}

export interface DatasetValidatorOptions extends ContextOptions {
	/** Keep per-entry findings for `finish` (off: the caller stores each block's findings from `add`). */
	keepFindings?: boolean;
}

/**
 * Validates a dataset streamed in blocks: `add(block)` returns that block's per-entry findings
 * right away; `finish()` adds the dataset-level findings (duplicates) and the summary.
 */
export class DatasetValidator {
	private readonly compiled: CompiledProfile;
	private readonly passes: { pass: DatasetRulePass; severity: Severity; id: string }[];
	private readonly keepFindings: boolean;
	private readonly findings: Finding[] = [];
	private readonly ruleCounts = new Map<string, { severity: Severity; findings: number; entries: Set<string> | number }>();
	/** Entry id → worst severity so far (1 error, 2 warning), for the clean/warning/error counts. */
	private readonly worstByEntry = new Map<string, number>();
	private entries = 0;
	private finished = false;

	constructor(profile: Profile | CompiledProfile, options: DatasetValidatorOptions = {}) {
		this.compiled = 'entryRules' in profile ? profile : compileProfile(profile, options);
		this.keepFindings = options.keepFindings ?? true;
		this.passes = this.compiled.datasetRules.map(({ rule, severity }) => ({ pass: rule.begin(this.compiled.ctx), severity, id: rule.id }));
	}

	add(block: Iterable<Entry>): Finding[] {
		if (this.finished) throw new Error('DatasetValidator.add after finish');
		const blockFindings: Finding[] = [];
		for (const entry of block) {
			this.entries++;
			const found = runEntryRules(entry, this.compiled);
			for (const pass of this.passes) {
				try {
					pass.pass.add(entry);
				} catch (error) {
					found.push(internalError(pass.id, entry, error));
				}
			}
			if (found.length === 0) continue;
			const counted = new Set<string>();
			for (const finding of found) {
				this.count(finding, counted);
				blockFindings.push(finding);
			}
		}
		if (this.keepFindings) for (const finding of blockFindings) this.findings.push(finding);
		return blockFindings;
	}

	private count(finding: Finding, countedRules: Set<string>): void {
		let count = this.ruleCounts.get(finding.rule);
		if (count === undefined) this.ruleCounts.set(finding.rule, (count = { severity: finding.severity, findings: 0, entries: 0 }));
		count.findings++;
		if (typeof count.entries === 'number') {
			// Per-entry findings arrive entry by entry, so counting distinct rules per entry is enough.
			if (!countedRules.has(finding.rule)) {
				countedRules.add(finding.rule);
				count.entries++;
			}
		} else count.entries.add(finding.entryId);
		const rank = finding.severity === 'error' ? 1 : finding.severity === 'warning' ? 2 : 3;
		const worst = this.worstByEntry.get(finding.entryId);
		if (rank < 3 && (worst === undefined || rank < worst)) this.worstByEntry.set(finding.entryId, rank);
	}

	finish(): DatasetValidationResult {
		if (this.finished) throw new Error('DatasetValidator.finish called twice');
		this.finished = true;
		const datasetFindings: Finding[] = [];
		for (const { pass, severity, id } of this.passes) {
			let found: Finding[];
			try {
				found = pass.end();
			} catch (error) {
				found = [internalError(id, null, error)];
			}
			// Dataset findings of one rule may name the same entry twice; count entries as a set.
			this.ruleCounts.set(id, { severity, findings: 0, entries: new Set() });
			for (const finding of found) {
				if (finding.rule === id) finding.severity = severity;
				this.count(finding, new Set());
				datasetFindings.push(finding);
			}
		}
		const order = new Map([...ENTRY_RULES, ...DATASET_RULES].map((rule, i) => [rule.id, i]));
		const byRule: RuleCount[] = [...this.ruleCounts.entries()]
			.filter(([, count]) => count.findings > 0)
			.map(([rule, count]) => ({
				rule,
				severity: count.severity,
				findings: count.findings,
				entries: typeof count.entries === 'number' ? count.entries : count.entries.size
			}))
			.sort((a, b) => (order.get(a.rule) ?? Infinity) - (order.get(b.rule) ?? Infinity));
		const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
		for (const count of byRule) bySeverity[count.severity] += count.findings;
		let entriesWithErrors = 0;
		let entriesWithWarningsOnly = 0;
		for (const rank of this.worstByEntry.values()) {
			if (rank === 1) entriesWithErrors++;
			else entriesWithWarningsOnly++;
		}
		const findings = this.keepFindings ? [...this.findings, ...datasetFindings] : datasetFindings;
		return {
			findings,
			summary: {
				entries: this.entries,
				entriesWithErrors,
				entriesWithWarningsOnly,
				entriesClean: this.entries - entriesWithErrors - entriesWithWarningsOnly,
				bySeverity,
				byRule
			}
		};
	}
}

/** Convenience for tests and small datasets: one block, everything at once. */
export function validateDataset(entries: Iterable<Entry>, profile: Profile | CompiledProfile, options: DatasetValidatorOptions = {}): DatasetValidationResult {
	const validator = new DatasetValidator(profile, options);
	validator.add(entries);
	return validator.finish();
}

/**
 * The summary with the findings of records that never became entries added (the importer's
 * `cookbookNotImported` tallies, summed over the dataset's files), for the profile's active rules
 * among them: OpenAI's notebook counts a line that is not an object (`data_type`) or has no
 * messages (`missing_messages_list`) although Skein could not import it.
 */
export function withRecordsNotImported(summary: ValidationSummary, counts: Readonly<Record<string, number>>, compiled: CompiledProfile): ValidationSummary {
	const active = new Map(compiled.entryRules.map(({ rule, severity }) => [rule.id, severity]));
	const order = new Map([...ENTRY_RULES, ...DATASET_RULES].map((rule, i) => [rule.id, i]));
	const byRule = summary.byRule.map((row) => ({ ...row }));
	const bySeverity = { ...summary.bySeverity };
	for (const [rule, count] of Object.entries(counts)) {
		const severity = active.get(rule);
		if (severity === undefined || count <= 0) continue;
		let row = byRule.find((r) => r.rule === rule);
		if (row === undefined) byRule.push((row = { rule, severity, findings: 0, entries: 0 }));
		row.findings += count;
		row.notImported = (row.notImported ?? 0) + count;
		bySeverity[severity] += count;
	}
	byRule.sort((a, b) => (order.get(a.rule) ?? Infinity) - (order.get(b.rule) ?? Infinity));
	return { ...summary, byRule, bySeverity };
}
