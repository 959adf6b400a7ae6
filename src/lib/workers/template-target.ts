/**
 * The training target of a dataset, as validation and the repairs use it: its template check with
 * the target's tokenizer loaded (lazily, once per worker: only a dataset with a target pays for
 * it), and a compiled profile with the check attached. Checks are kept per target, so validating
 * again or asking an entry's findings reuses the parsed template and the loaded vocabulary.
 */
import type { DatasetRow } from '$lib/core/contracts/rows';
import { createTargetCheck, type TargetCheck } from '$lib/core/templates/template-check';
import { loadTemplateTokenizer } from '$lib/core/templates/template-tokenizers';
import { resolveTarget, type TemplateTarget } from '$lib/core/templates/target';
import type { CompiledProfile } from '$lib/core/validation';

const MAX_KEPT = 4;

export class TargetChecks {
	private readonly kept = new Map<string, Promise<TargetCheck>>();

	/** The check for a dataset's target; null when it has none. */
	forDataset(dataset: Pick<DatasetRow, 'templateTarget'> | undefined): Promise<TargetCheck | null> {
		const target = dataset?.templateTarget;
		return target ? this.forTarget(target) : Promise.resolve(null);
	}

	forTarget(target: TemplateTarget): Promise<TargetCheck> {
		const key = JSON.stringify(target);
		let check = this.kept.get(key);
		if (!check) {
			check = build(target);
			if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string);
			this.kept.set(key, check);
			check.catch(() => this.kept.delete(key));
		}
		return check;
	}
}

async function build(target: TemplateTarget): Promise<TargetCheck> {
	let tokenizerId;
	try {
		tokenizerId = resolveTarget(target).tokenizer;
	} catch (error) {
		throw new Error(`The dataset's training target cannot be used: ${error instanceof Error ? error.message : String(error)} Choose the target again.`);
	}
	return createTargetCheck(target, await loadTemplateTokenizer(tokenizerId));
}

/** `compiled` with the dataset's target attached (or removed when it has none). */
export function withTarget(compiled: CompiledProfile, check: TargetCheck | null): CompiledProfile {
	const { template: _previous, ...ctx } = compiled.ctx;
	return { ...compiled, ctx: check ? { ...ctx, template: check } : ctx };
}
