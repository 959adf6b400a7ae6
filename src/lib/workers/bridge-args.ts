/**
 * What crosses to a worker, decided once for every call (the bridge applies it to every argument):
 *
 * - plain data (objects whose prototype is Object or null, arrays) is copied into fresh plain
 *   objects, so a Svelte `$state` proxy — which `postMessage` refuses ("could not be cloned") —
 *   never reaches it, however deep it sits;
 * - values the structured clone copies natively (Blob, File, Date, Map, Set, typed arrays, …) are
 *   passed as they are;
 * - behaviour — a function (a progress callback, an event listener) or an object of a class of ours
 *   (a page engine) — is passed by reference with `Comlink.proxy`, so the worker calls back into
 *   the page. Only top-level arguments can be proxies (a Comlink rule): one nested in plain data is
 *   refused here with the path that holds it, instead of arriving in the worker without methods.
 */
import * as Comlink from 'comlink';

const CLONED_AS_IS: Array<abstract new (...args: never[]) => unknown> = [];
for (const name of ['Blob', 'File', 'FileList', 'Date', 'RegExp', 'Map', 'Set', 'ArrayBuffer', 'DataView', 'ImageData', 'ImageBitmap', 'Error', 'ReadableStream', 'FileSystemHandle'] as const) {
	const ctor = (globalThis as Record<string, unknown>)[name];
	if (typeof ctor === 'function') CLONED_AS_IS.push(ctor as abstract new (...args: never[]) => unknown);
}

function isPlainObject(value: object): boolean {
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function clonedAsIs(value: object): boolean {
	return ArrayBuffer.isView(value) || CLONED_AS_IS.some((ctor) => value instanceof ctor);
}

function hasBehaviour(value: unknown): boolean {
	return (
		typeof value === 'function' ||
		(typeof value === 'object' && value !== null && !Array.isArray(value) && !isPlainObject(value) && !clonedAsIs(value)) ||
		(typeof value === 'object' && value !== null && Comlink.proxyMarker in value)
	);
}

/** A deep copy of plain data; throws on behaviour nested inside it (see above). */
export function snapshotData(value: unknown, path = 'argument'): unknown {
	if (value === null || typeof value !== 'object') {
		if (typeof value === 'function') throw new TypeError(`${path} is a function: only a top-level argument can be passed to the worker by reference.`);
		return value;
	}
	if (Array.isArray(value)) return value.map((item, index) => snapshotData(item, `${path}[${index}]`));
	if (clonedAsIs(value)) return value;
	if (!isPlainObject(value) || Comlink.proxyMarker in value) {
		throw new TypeError(`${path} is an object with behaviour: only a top-level argument can be passed to the worker by reference.`);
	}
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		copy[key] = snapshotData((value as Record<string, unknown>)[key], `${path}.${key}`);
	}
	return copy;
}

/** One argument as it should cross: by reference when it has behaviour, as a plain copy otherwise. */
export function prepareArgument(value: unknown, index = 0): unknown {
	if (hasBehaviour(value)) {
		return typeof value === 'object' && value !== null && Comlink.proxyMarker in value ? value : Comlink.proxy(value as object);
	}
	return snapshotData(value, `argument ${index + 1}`);
}

export function prepareArguments(args: readonly unknown[]): unknown[] {
	return args.map((arg, index) => prepareArgument(arg, index));
}
