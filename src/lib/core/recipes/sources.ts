/**
 * The documents recipes read besides character sheets (core/sheets): identity documents and
 * prompt pools. Schemas only, plus the small pure helpers every layer needs; the recipes that use
 * them live beside this file.
 */
import { z } from 'zod';

/**
 * An identity document (SPEC §8.3, ISF's cubsfan pipelines): who the identity model is. Every
 * field is free text; `narrative` is the long account facts are extracted from.
 */
export const IdentityDocumentSchema = z.object({
	id: z.string().min(1),
	/** The identity's name ("Skein Assistant", "Mara"). */
	name: z.string(),
	/** One line: "I am X, …". */
	iAm: z.string(),
	/**
	 * Who made it ("The Port Elin harbour office, in 2026"). Optional: documents stored before the
	 * field existed have none, and read as empty.
	 */
	maker: z.string().optional(),
	/** What it is for ("Answers questions about tides and berths"). Optional, as maker. */
	purpose: z.string().optional(),
	voice: z.string(),
	values: z.string(),
	/** How sure it is and how it says so (calibration). */
	calibration: z.string(),
	/** What it is not (other assistants, companies, claims it must not make). */
	notThis: z.string(),
	narrative: z.string(),
	/** Identities it must deny being, for negative assertions ("GPT-4", "Claude", "Qwen"). */
	otherIdentities: z.array(z.string()),
	/** Makers it must deny ("OpenAI", "Anthropic"). */
	otherMakers: z.array(z.string()),
	createdAt: z.number(),
	updatedAt: z.number()
});
export type IdentityDocument = z.infer<typeof IdentityDocumentSchema>;

/** A prompt pool as stored: the items live in their own rows (never loaded whole). */
export const PromptPoolSchema = z.object({
	id: z.string().min(1),
	name: z.string(),
	/** File name or "pasted". */
	sourceName: z.string(),
	count: z.number().int().nonnegative(),
	/** Items per rating value; key '' = unrated. Lets a stratified sample be planned without reading items. */
	ratingCounts: z.record(z.string(), z.number().int().nonnegative()),
	/** Name of the rating column in the imported file, when there was one. */
	ratingField: z.string().optional(),
	createdAt: z.number()
});
export type PromptPool = z.infer<typeof PromptPoolSchema>;

export interface PromptPoolItem {
	/** Position in the imported pool. */
	index: number;
	text: string;
	rating: number | null;
}

/** The items a run actually uses, chosen by a seeded stratified sample. */
export interface PromptPoolSample {
	poolId: string;
	name: string;
	items: PromptPoolItem[];
}

/** One stratum of a mix: items whose rating is in [min, max] make up `share` of the sample. */
export const StratumSchema = z.object({
	min: z.number(),
	max: z.number(),
	share: z.number().min(0).max(1)
});
export type Stratum = z.infer<typeof StratumSchema>;
