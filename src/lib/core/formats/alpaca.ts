/**
 * Alpaca and relatives (reference/formats.md §3.3): `instruction` + `output` (or `response`, or
 * oasst's `INSTRUCTION`/`RESPONSE`), optional `input`, `system` and LLaMA-Factory `history`
 * ([instruction, response] pairs). Converted the lossless way: system?, history pairs expanded,
 * user = instruction + "\n" + input (when input is non-empty), assistant = output.
 * Every other key (`chosen`, `rejected`, `kto_tag`, `id`, media columns) stays in `extra`.
 */
import type { Message } from '../model';
import { hasKey, omitKeys, type JsonRecord } from '../json-safety';
import type { Conversion, ConversionContext } from './conversion';
import { noteMediaColumns } from './media';

export const ALPACA_INSTRUCTION_KEYS = ['instruction', 'INSTRUCTION'] as const;
export const ALPACA_OUTPUT_KEYS = ['output', 'response', 'RESPONSE', 'OUTPUT'] as const;

export function alpacaInstructionKey(record: JsonRecord): string | undefined {
	return ALPACA_INSTRUCTION_KEYS.find((key) => hasKey(record, key));
}

export function alpacaOutputKey(record: JsonRecord): string | undefined {
	return ALPACA_OUTPUT_KEYS.find((key) => hasKey(record, key));
}

function isPair(value: unknown): value is [string, string] {
	return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

export function convertAlpaca(record: JsonRecord, ctx: ConversionContext): Conversion {
	const instructionKey = alpacaInstructionKey(record);
	const outputKey = alpacaOutputKey(record);
	if (instructionKey === undefined || outputKey === undefined) return 'alpaca record needs an instruction and an output';
	const instruction = record[instructionKey];
	const output = record[outputKey];
	if (typeof instruction !== 'string') return `alpaca ${instructionKey} must be text`;
	if (typeof output !== 'string') return `alpaca ${outputKey} must be text`;
	if (outputKey !== 'output') ctx.note(`Alpaca "${outputKey}" read as the output`);
	if (instructionKey !== 'instruction') ctx.note(`Alpaca "${instructionKey}" read as the instruction`);

	const consumed = new Set<string>([instructionKey, outputKey]);
	const messages: Message[] = [];

	const system = hasKey(record, 'system') ? record.system : undefined;
	if (typeof system === 'string' && system.length > 0) {
		messages.push({ role: 'system', content: system });
		consumed.add('system');
		ctx.note('Alpaca system moved to a leading system message');
	}

	if (hasKey(record, 'history')) {
		const history = record.history;
		if (Array.isArray(history) && history.every(isPair)) {
			for (const [question, answer] of history) {
				messages.push({ role: 'user', content: question });
				messages.push({ role: 'assistant', content: answer });
			}
			consumed.add('history');
			if (history.length > 0) ctx.note('Alpaca history pairs expanded into earlier turns');
		} else {
			ctx.note('Alpaca history is not a list of [instruction, response] pairs: kept as metadata');
		}
	}

	let user = instruction;
	if (hasKey(record, 'input')) {
		const input = record.input;
		if (typeof input === 'string') {
			consumed.add('input');
			if (input.length > 0) {
				user = instruction.length > 0 ? `${instruction}\n${input}` : input;
				ctx.note('Alpaca input appended to the instruction (joined with a newline)');
			}
		} else if (input === null) {
			consumed.add('input');
		} else {
			ctx.note('Alpaca input is not text: kept as metadata');
		}
	}
	messages.push({ role: 'user', content: user });
	messages.push({ role: 'assistant', content: output });
	noteMediaColumns(record, ctx);
	return { messages, extra: omitKeys(record, consumed) };
}
