/**
 * Recognising SillyTavern character cards (reference/formats.md §3.4): V1 (six string fields at
 * the top level), V2 (`spec: "chara_card_v2"`, content under `data`) and V3 (`chara_card_v3`).
 * Cards are character sheets, not conversations: the importer lists them in the report instead of
 * turning them into entries.
 */
import type { CharacterCardFound } from '../model';
import { hasKey, isRecord, type JsonRecord } from '../json-safety';

const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

export interface RecognisedCard {
	spec: CharacterCardFound['spec'];
	name: string;
}

export function recogniseCharacterCard(record: JsonRecord): RecognisedCard | null {
	const spec = hasKey(record, 'spec') ? record.spec : undefined;
	if (spec === 'chara_card_v2' || spec === 'chara_card_v3') {
		const data = hasKey(record, 'data') ? record.data : undefined;
		const name = isRecord(data) && typeof data.name === 'string' ? data.name : typeof record.name === 'string' ? record.name : '';
		return { spec, name };
	}
	if (V1_FIELDS.every((field) => hasKey(record, field) && typeof record[field] === 'string')) {
		return { spec: 'chara_card_v1', name: record.name as string };
	}
	return null;
}

export const CARD_NOTE = 'SillyTavern character card recognised: listed in the report, not imported as an entry';
