// Baseline for SPEC §10 import: parse the lines in a worker and store them as blocks of 1,000
// raw lines per IndexedDB row (raw IndexedDB, no library). Served only by the benchmark.
function openDb(name) {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name, 1);
		request.onupgradeneeded = () => request.result.createObjectStore('blocks', { keyPath: ['ds', 'block'] });
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
}
function put(db, row) {
	return new Promise((resolve, reject) => {
		const tx = db.transaction('blocks', 'readwrite');
		tx.objectStore('blocks').put(row);
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error);
	});
}
/** The bare loop for the validation ratio: read and JSON.parse every line, nothing else. */
async function parseOnly(file) {
	const t0 = performance.now();
	const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
	let rest = '';
	let parsed = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const parts = (rest + value).split('\n');
		rest = parts.pop();
		for (const line of parts) {
			try {
				JSON.parse(line);
				parsed++;
			} catch {
				// counted as not parsed
			}
		}
	}
	return { ms: performance.now() - t0, parsed };
}

self.onmessage = async (event) => {
	const file = event.data.file;
	if (event.data.mode === 'parse-only') {
		self.postMessage(await parseOnly(file));
		return;
	}
	const t0 = performance.now();
	const db = await openDb('bench-baseline');
	const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
	let rest = '';
	let lines = [];
	let errs = [];
	let block = 0;
	let lineNo = 0;
	const flush = async () => {
		await put(db, { ds: 1, block: block++, text: lines.join('\n'), errs });
		lines = [];
		errs = [];
	};
	const take = async (line) => {
		lineNo++;
		if (!line.trim()) return;
		try {
			JSON.parse(line);
		} catch {
			errs.push(lineNo);
		}
		lines.push(line);
		if (lines.length === 1000) await flush();
	};
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const parts = (rest + value).split('\n');
		rest = parts.pop();
		for (const line of parts) await take(line);
	}
	if (rest) await take(rest);
	if (lines.length) await flush();
	const ms = performance.now() - t0;
	db.close();
	self.postMessage({ ms, lines: lineNo, blocks: block });
};
