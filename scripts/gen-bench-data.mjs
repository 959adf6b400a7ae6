/**
 * Writes the benchmark's 100,000-line ChatML file (about 205 MB) with a seeded PRNG, matching the
 * file described in ../shared/reference/measurements.md §3a: 3–6 messages per line, contents of
 * 200–1500 chars skewed short, ~2% multilingual tokens, and 500 deliberately bad lines
 * (truncated JSON, role "human", empty content). Not committed: `npm run bench` makes it.
 *
 * usage: node scripts/gen-bench-data.mjs OUT.jsonl [lines=100000]
 */
import { createWriteStream } from 'node:fs';

const out = process.argv[2] ?? 'bench-data/chat100k.jsonl';
const lineCount = Number(process.argv[3] ?? 100_000);

let seed = 0x9e3779b9;
function random() {
	// mulberry32
	seed = (seed + 0x6d2b79f5) | 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

const WORDS =
	'the a lighthouse keeper storm tide lamp ship harbour rope lantern night sea wind stone coast island boat map journey story remember answer question why because morning evening kettle tea salt gull cliff fog bell signal radio weather north south careful quiet light dark wave shore village market letter friend stranger old new small large always never perhaps certainly'.split(
		' '
	);
const MULTI = ['é', 'naïve', '中文', 'データ', '🙂', '“quoted”', '\n', 'Ünïcødé', '—'];

function content() {
	const target = 200 + Math.floor(Math.pow(random(), 5) * 1300);
	let text = '';
	while (text.length < target) text += (random() < 0.02 ? pick(MULTI) : pick(WORDS)) + ' ';
	return text.trim();
}

function conversation() {
	const messages = [];
	const pairs = 1 + Math.floor(random() * 3);
	if (random() < 0.5) messages.push({ role: 'system', content: content() });
	for (let i = 0; i < pairs; i++) {
		messages.push({ role: 'user', content: content() });
		messages.push({ role: 'assistant', content: content() });
	}
	return messages;
}

const bad = new Set();
while (bad.size < Math.min(500, lineCount)) bad.add(Math.floor(random() * lineCount));

const stream = createWriteStream(out);
let bytes = 0;
let badNo = 0;
for (let i = 0; i < lineCount; i++) {
	const messages = conversation();
	let line;
	if (bad.has(i)) {
		const kind = badNo++ % 3;
		if (kind === 0) line = JSON.stringify({ messages }).slice(0, 120);
		else if (kind === 1) line = JSON.stringify({ messages: messages.map((m) => (m.role === 'user' ? { ...m, role: 'human' } : m)) });
		else line = JSON.stringify({ messages: messages.map((m) => (m.role === 'assistant' ? { ...m, content: '' } : m)) });
	} else line = JSON.stringify({ messages });
	line += '\n';
	bytes += Buffer.byteLength(line);
	if (!stream.write(line)) await new Promise((r) => stream.once('drain', r));
}
await new Promise((r) => stream.end(r));
console.log(`wrote ${out}: ${lineCount} lines, ${bytes} bytes`);
