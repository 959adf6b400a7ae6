/**
 * Builds the data worker's one API from the services' parts (each service's `xxxApi(deps)`
 * returns its methods). Spreading objects together would let a method silently shadow another of
 * the same name; composeApi refuses that instead — at compile time when the parts' types show it,
 * and always at run time, naming the method.
 */

/** A service's part of the API: its methods by name (any signature: `never[]` accepts every parameter list). */
export type ApiPart = Record<string, (...args: never[]) => unknown>;

type Composed<Parts extends readonly ApiPart[]> = Parts extends readonly [infer Head, ...infer Rest extends readonly ApiPart[]] ? Head & Composed<Rest> : Record<never, never>;

/** Method names that appear in more than one part. */
type Duplicates<Parts extends readonly ApiPart[], Seen extends PropertyKey = never> = Parts extends readonly [
	infer Head extends ApiPart,
	...infer Rest extends readonly ApiPart[]
]
	? (keyof Head & Seen) | Duplicates<Rest, Seen | keyof Head>
	: never;

type Refused<Parts extends readonly ApiPart[]> = [Duplicates<Parts>] extends [never] ? Parts : { 'composeApi: a method is defined twice': Duplicates<Parts> }[];

export function composeApi<const Parts extends readonly ApiPart[]>(...parts: Parts & Refused<Parts>): Composed<Parts> {
	const api: Record<string, unknown> = {};
	const partOf = new Map<string, number>();
	parts.forEach((part, index) => {
		for (const [name, method] of Object.entries(part)) {
			const earlier = partOf.get(name);
			if (earlier !== undefined) {
				throw new Error(`composeApi: the method "${name}" is defined twice (by parts ${earlier + 1} and ${index + 1}); rename one of them.`);
			}
			if (typeof method !== 'function') throw new Error(`composeApi: "${name}" (part ${index + 1}) is not a method.`);
			partOf.set(name, index);
			api[name] = method;
		}
	});
	return Object.freeze(api) as Composed<Parts>;
}
