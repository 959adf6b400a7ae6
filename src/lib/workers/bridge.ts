/**
 * A typed door to one worker. Every call goes through `prepareArguments` (bridge-args.ts): plain
 * data is snapshotted, callbacks and page objects cross as Comlink proxies. Callers — the state
 * classes — never write `Comlink.proxy` themselves and cannot send a `$state` proxy by mistake.
 */
import * as Comlink from 'comlink';
import { prepareArguments } from './bridge-args';

/** The worker API as the page sees it: every method async. */
export type Bridged<T> = {
	[K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export function bridgeTo<T extends object>(endpoint: Comlink.Endpoint | Worker): Bridged<T> {
	const remote = Comlink.wrap<T>(endpoint) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
	const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
	return new Proxy({} as Bridged<T>, {
		get(_target, name) {
			if (typeof name !== 'string' || name === 'then') return undefined;
			let method = methods.get(name);
			if (!method) {
				method = (...args: unknown[]) => remote[name](...prepareArguments(args));
				methods.set(name, method);
			}
			return method;
		}
	});
}
