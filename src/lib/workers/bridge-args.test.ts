import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { prepareArgument, prepareArguments, snapshotData } from './bridge-args';

/** What a Svelte `$state` proxy is to postMessage: a Proxy the structured clone refuses. */
function reactiveLike<T extends object>(value: T): T {
	const wrap = (target: object): object =>
		new Proxy(target, {
			get(t, key, receiver) {
				const item = Reflect.get(t, key, receiver);
				return item !== null && typeof item === 'object' ? wrap(item) : item;
			}
		});
	return wrap(value) as T;
}

class PageEngine {
	chat() {
		return 'answer';
	}
}

describe('bridge arguments', () => {
	it('copies a proxied, nested parameter object into plain data the structured clone accepts', () => {
		const params = reactiveLike({ sheetId: 's1', chunkIds: ['c1', 'c3'], nested: { on: true, list: [{ a: 1 }] } });
		expect(() => structuredClone(params)).toThrow();
		const [sent] = prepareArguments([params]);
		expect(() => structuredClone(sent)).not.toThrow();
		expect(sent).toEqual({ sheetId: 's1', chunkIds: ['c1', 'c3'], nested: { on: true, list: [{ a: 1 }] } });
		expect(sent).not.toBe(params);
	});

	it('passes natively cloneable values as they are', () => {
		const blob = new Blob(['x']);
		const date = new Date(5);
		const bytes = new Uint8Array([1, 2]);
		expect(snapshotData({ blob, date, bytes, list: [blob] })).toEqual({ blob, date, bytes, list: [blob] });
		expect((snapshotData({ blob }) as { blob: Blob }).blob).toBe(blob);
	});

	it('passes callbacks and page objects by reference, once', () => {
		const onProgress = () => undefined;
		const sent = prepareArgument(onProgress) as object;
		expect(Comlink.proxyMarker in sent).toBe(true);
		const engine = new PageEngine();
		expect(Comlink.proxyMarker in (prepareArgument(engine) as object)).toBe(true);
		const already = Comlink.proxy(() => undefined);
		expect(prepareArgument(already)).toBe(already);
	});

	it('keeps primitives, null and undefined', () => {
		expect(prepareArguments(['a', 1, null, undefined, true])).toEqual(['a', 1, null, undefined, true]);
	});

	it('refuses behaviour nested in data, naming where it is', () => {
		expect(() => prepareArguments(['d1', { access: { remote: new PageEngine() } }])).toThrow(/argument 2\.access\.remote/);
		expect(() => prepareArguments([{ onDone: () => undefined }])).toThrow(/argument 1\.onDone is a function/);
	});
});
