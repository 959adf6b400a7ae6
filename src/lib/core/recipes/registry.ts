/**
 * The built-in recipes, in the order the run form lists them. The run service takes its recipe
 * list by injection (defaulting to this one), so tests can run their own.
 *
 * Every conversation recipe gets the optional judge step here (`withJudgeOption`): its params
 * accept `judge` (JudgeSettingsSchema), its task is wrapped by `withJudge` when the judge is on,
 * the judge settings are part of its definition (a changed rubric makes the run stale), and its
 * rehearsal answers judge requests with `rehearseJudge`. Fact recipes are not judged.
 */
import { z } from 'zod';
import { BEST_OF_NEEDS_JUDGE } from './best-of';
import { chunkedRecipe } from './chunked';
import { continuationRecipe } from './continuation';
import { identityAssertionsRecipe } from './identity-assertions';
import { identityFactsRecipe } from './identity-facts';
import { identityQaRecipe } from './identity-qa';
import { isJudgeRequest, JudgeSettingsSchema, rehearseJudge, withJudge, type JudgeSettings } from './judge';
import { poolAnswersRecipe } from './pool-answers';
import type { AnyRecipe, Recipe } from './recipe';

/** The scale a judge uses when its settings do not say: the run form's 0–10 threshold. */
const FORM_SCALE_MAX = 10;

export type JudgedParams<Params> = Params & { judge?: JudgeSettings };

/**
 * Judge settings as the run form sends them: present means on (`enabled` may be left out) and a
 * threshold on a 0–10 scale (`scaleMax` 10 when not given).
 */
function normaliseJudge(raw: unknown): unknown {
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'object') return raw;
	const value = raw as Record<string, unknown>;
	return { enabled: true, scaleMax: FORM_SCALE_MAX, ...value };
}

/** Adds the optional judge step to a recipe (see the file comment). */
export function withJudgeOption<Params, Input>(recipe: Recipe<Params, Input>): Recipe<JudgedParams<Params>, Input> {
	const params = z.unknown().transform((value, ctx): JudgedParams<Params> => {
		const { judge, ...rest } = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
		const inner = recipe.params.safeParse(value && typeof value === 'object' ? rest : value);
		const settings = JudgeSettingsSchema.optional().safeParse(normaliseJudge(judge));
		if (!inner.success) for (const issue of inner.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
		if (!settings.success) for (const issue of settings.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['judge', ...issue.path] });
		if (!inner.success || !settings.success) return z.NEVER;
		const bestOf = (inner.data as { bestOf?: unknown }).bestOf;
		if (typeof bestOf === 'number' && bestOf > 1 && !settings.data?.enabled) {
			ctx.addIssue({ code: 'custom', message: BEST_OF_NEEDS_JUDGE, path: ['bestOf'] });
			return z.NEVER;
		}
		return settings.data?.enabled ? { ...inner.data, judge: settings.data } : (inner.data as JudgedParams<Params>);
	});
	return {
		...recipe,
		params: params as unknown as z.ZodType<JudgedParams<Params>>,
		sources: (p) => recipe.sources(p),
		prepare(p, sources, settings) {
			const prepared = recipe.prepare(p, sources, settings);
			return p.judge ? { ...prepared, definition: { recipe: prepared.definition, judge: p.judge } } : prepared;
		},
		task(p, sources, settings) {
			const task = recipe.task(p, sources, settings);
			return p.judge ? withJudge(task, p.judge, settings.sampling) : task;
		},
		rehearse: (request, random) => (isJudgeRequest(request) ? rehearseJudge(request, random) : recipe.rehearse(request, random))
	};
}

export const RECIPES: AnyRecipe[] = [
	withJudgeOption(chunkedRecipe),
	identityFactsRecipe,
	withJudgeOption(identityQaRecipe),
	withJudgeOption(identityAssertionsRecipe),
	withJudgeOption(poolAnswersRecipe),
	withJudgeOption(continuationRecipe)
];

export function findRecipe(id: string, recipes: readonly AnyRecipe[] = RECIPES): AnyRecipe | undefined {
	return recipes.find((recipe) => recipe.id === id);
}
