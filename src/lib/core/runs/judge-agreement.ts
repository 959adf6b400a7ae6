/**
 * How well the judge agrees with the user: on the samples the user decided (accepted or rejected)
 * that the judge scored, how often "at or above the threshold" went with accept and "below" with
 * reject, and the 2 × 2 table behind it. Samples still pending, and those the judge could not
 * score, are left out.
 */
import type { ReviewItem } from '../contracts/run-api';

export interface JudgeAgreement {
	/** Judge ≥ threshold and accepted, ≥ and rejected, < and accepted, < and rejected. */
	passAccepted: number;
	passRejected: number;
	belowAccepted: number;
	belowRejected: number;
	/** Decided samples with a judge score. */
	compared: number;
	/** Share (0–1) of them where the judge and the user agree; null when none. */
	agreement: number | null;
}

export function judgeAgreement(items: readonly Pick<ReviewItem, 'sample' | 'review'>[]): JudgeAgreement {
	const table = { passAccepted: 0, passRejected: 0, belowAccepted: 0, belowRejected: 0 };
	for (const item of items) {
		const judge = item.sample.judge;
		if (!judge || judge.error !== undefined || item.review === 'pending') continue;
		const pass = judge.score >= judge.threshold;
		if (pass) table[item.review === 'accepted' ? 'passAccepted' : 'passRejected']++;
		else table[item.review === 'accepted' ? 'belowAccepted' : 'belowRejected']++;
	}
	const compared = table.passAccepted + table.passRejected + table.belowAccepted + table.belowRejected;
	return { ...table, compared, agreement: compared ? (table.passAccepted + table.belowRejected) / compared : null };
}
