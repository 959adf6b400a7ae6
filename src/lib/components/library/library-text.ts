/** Words the library pages share. */
import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';
import type { SheetSourceKind } from '$lib/core/sheets/sheet';

export const SOURCE_KIND_LABEL: Record<SheetSourceKind, string> = {
	card: 'Character card',
	seed003: 'Seed 003 files',
	document: 'Document',
	lorebook: 'Lorebook'
};

/** The run form, pre-filled with a recipe and this source (the run pages read these parameters). */
export function newRunHref(recipe: string, source: 'sheet' | 'identity' | 'pool', id: string): ResolvedPathname {
	return `${resolve('/generate/runs/new')}?recipe=${encodeURIComponent(recipe)}&${source}=${encodeURIComponent(id)}` as ResolvedPathname;
}
