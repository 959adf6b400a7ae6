/**
 * The library lists' rows as the page shows them: what db/ reads for a list of character sheets or
 * identity documents (not the whole stored rows). Here in core so the page's components can name
 * them without importing db/.
 */
import type { SheetSourceKind } from '../sheets/sheet';

export interface SheetSummary {
	id: string;
	name: string;
	sourceKind: SheetSourceKind;
	chunkCount: number;
	createdAt: string;
	updatedAt: number;
}

export interface IdentitySummary {
	id: string;
	name: string;
	iAm: string;
	updatedAt: number;
}
