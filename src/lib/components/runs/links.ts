/**
 * Links into the run form with its fields pre-filled (?recipe=identity-qa&identity=…&facts=…).
 */
import { resolve } from '$app/paths';

export interface NewRunQuery {
	recipe?: string;
	identity?: string;
	facts?: string;
	sheet?: string;
	pool?: string;
	dataset?: string;
}

/** The query string, empty values left out, in a stable order. */
export function newRunQuery(query: NewRunQuery): string {
	const parts: string[] = [];
	for (const key of ['recipe', 'identity', 'facts', 'sheet', 'pool', 'dataset'] as const) {
		const value = query[key];
		if (value) parts.push(`${key}=${encodeURIComponent(value)}`);
	}
	return parts.length ? `?${parts.join('&')}` : '';
}

export function newRunLink(query: NewRunQuery = {}): string {
	return resolve('/generate/runs/new') + newRunQuery(query);
}
