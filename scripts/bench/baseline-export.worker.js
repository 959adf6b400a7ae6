// Baseline for SPEC §10 export: read the stored blocks of a dataset and join them into a JSONL
// Blob (raw IndexedDB, minimal {"messages"} lines). Served only by the benchmark.
self.onmessage = async (event) => {
	const { datasetId } = event.data;
	const t0 = performance.now();
	const db = await new Promise((resolve, reject) => {
		const request = indexedDB.open('skein');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const parts = [];
	let entries = 0;
	await new Promise((resolve, reject) => {
		const tx = db.transaction('blocks', 'readonly');
		const range = IDBKeyRange.bound([datasetId, -Infinity], [datasetId, Infinity]);
		const cursorRequest = tx.objectStore('blocks').openCursor(range);
		cursorRequest.onsuccess = () => {
			const cursor = cursorRequest.result;
			if (!cursor) return resolve();
			const block = cursor.value.entries;
			entries += block.length;
			parts.push(new Blob([block.map((e) => JSON.stringify({ messages: e.messages })).join('\n') + '\n']));
			cursor.continue();
		};
		cursorRequest.onerror = () => reject(cursorRequest.error);
	});
	const blob = new Blob(parts);
	const ms = performance.now() - t0;
	db.close();
	self.postMessage({ ms, entries, bytes: blob.size });
};
