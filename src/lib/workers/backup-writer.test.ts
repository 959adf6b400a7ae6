import { describe, expect, it } from 'vitest';
import { privateFileSink } from './backup-writer';

/** A private file as a worker sees it: sync access where the browser gives it, a writable stream always. */
function fakeFile(withSyncAccess: boolean) {
	let bytes = new Uint8Array(0);
	const log: string[] = [];
	const writeAt = (chunk: Uint8Array, at: number) => {
		const grown = new Uint8Array(Math.max(bytes.length, at + chunk.length));
		grown.set(bytes);
		grown.set(chunk, at);
		bytes = grown;
	};
	const handle = {
		name: 'skein-backup-download.zip',
		createWritable: async () => {
			log.push('writable');
			const parts: Uint8Array[] = [];
			return {
				write: async (blob: Blob) => void parts.push(new Uint8Array(await blob.arrayBuffer())),
				close: async () => {
					bytes = new Uint8Array(0);
					for (const part of parts) writeAt(part, bytes.length);
				},
				abort: async () => undefined
			};
		},
		...(withSyncAccess
			? {
					createSyncAccessHandle: async () => {
						log.push('sync');
						return {
							// Writes at most 3 bytes a call, as a real handle may write less than asked.
							write: (chunk: Uint8Array, options: { at: number }) => {
								const part = chunk.subarray(0, 3);
								writeAt(part, options.at);
								return part.length;
							},
							truncate: (size: number) => void (bytes = bytes.slice(0, size)),
							flush: () => void log.push('flush'),
							close: () => void log.push('close')
						};
					}
				}
			: {})
	};
	return { handle: handle as unknown as FileSystemFileHandle, log, bytes: () => bytes };
}

describe('privateFileSink', () => {
	it('writes every byte in order through sync access, replacing what the file held', async () => {
		const file = fakeFile(true);
		const old = await privateFileSink(file.handle);
		await old.write([new TextEncoder().encode('an older, longer backup')]);
		await old.close();
		const sink = await privateFileSink(file.handle);
		await sink.write([new TextEncoder().encode('PK'), new TextEncoder().encode('\u0003\u0004 zip')]);
		await sink.write([new TextEncoder().encode('!')]);
		await sink.close();
		expect(new TextDecoder().decode(file.bytes())).toBe('PK\u0003\u0004 zip!');
		expect(file.log).toEqual(['sync', 'flush', 'close', 'sync', 'flush', 'close']);
	});

	it('leaves an empty file when the backup is aborted', async () => {
		const file = fakeFile(true);
		const sink = await privateFileSink(file.handle);
		await sink.write([new TextEncoder().encode('half a zip')]);
		await sink.abort(new Error('quota'));
		expect(file.bytes().length).toBe(0);
		expect(file.log).toEqual(['sync', 'close']);
	});

	it('falls back to a writable stream where there is no sync access', async () => {
		const file = fakeFile(false);
		const sink = await privateFileSink(file.handle);
		await sink.write([new TextEncoder().encode('PK'), new TextEncoder().encode('zip')]);
		await sink.close();
		expect(new TextDecoder().decode(file.bytes())).toBe('PKzip');
		expect(file.log).toEqual(['writable']);
	});
});
