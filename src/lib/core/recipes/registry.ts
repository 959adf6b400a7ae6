/**
 * The built-in recipes, in the order the run form lists them. The run service takes its recipe
 * list by injection (defaulting to this one), so tests can run their own.
 */
import type { AnyRecipe } from './recipe';

export const RECIPES: AnyRecipe[] = [];

export function findRecipe(id: string, recipes: readonly AnyRecipe[] = RECIPES): AnyRecipe | undefined {
	return recipes.find((recipe) => recipe.id === id);
}
