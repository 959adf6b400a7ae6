/**
 * The character library page's doors: the library rows (saved straight to the database from the
 * page, like the tag library), a dataset's custom speakers with their suggested roles (read by the
 * data worker), the speaker mapping applied as one undoable step, and what {{char}} / {{user}}
 * stand for in a dataset.
 */
import { getDatabase } from '$lib/db/database';
import { deleteCharacter, getDefaultNames, newCharacterId, saveCharacter, setDefaultNames } from '$lib/db/collection-repo';
import { type DefaultNames } from '$lib/core/contracts/settings';
import type { SpeakerSuggestion } from '$lib/core/curation/characters';
import { dataWorker } from '$lib/workers/data-bridge';
import type { MappingOutcome, SpeakerMappingChoice } from '$lib/workers/collection-service';

export interface CharacterDraft {
	/** null for a new character. */
	id: string | null;
	name: string;
	description: string;
	/** Speaker labels as typed, comma-separated. */
	aliases: string;
}

export class CharacterLibraryState {
	/** Saves a new or edited character; returns the refusal (e.g. a name already taken) as an error. */
	save(draft: CharacterDraft): Promise<{ ok: true; name: string } | { ok: false; error: string }> {
		const input = { id: draft.id ?? newCharacterId(), name: draft.name, description: draft.description, aliases: draft.aliases.split(',') };
		return saveCharacter(getDatabase(), input).then((result) => (result.ok ? { ok: true as const, name: result.character.name } : result));
	}

	/** Deletes a character from the library; entries that name them are unchanged. */
	remove(id: string): Promise<void> {
		return deleteCharacter(getDatabase(), id);
	}

	/** The dataset's custom speakers with a suggested role each, and its stored {{char}} / {{user}} names. */
	async speakers(datasetId: string): Promise<{ suggestions: SpeakerSuggestion[]; names: DefaultNames }> {
		const [suggestions, names] = await Promise.all([dataWorker().speakerSuggestions(datasetId), getDefaultNames(getDatabase(), datasetId)]);
		return { suggestions, names };
	}

	/** Maps speakers to roles in every entry of the dataset, as one undoable step. */
	applyMapping(datasetId: string, choices: SpeakerMappingChoice[], onProgress: (done: number, total: number) => void): Promise<MappingOutcome> {
		return dataWorker().applySpeakerMapping(datasetId, choices, onProgress);
	}

	/** Undoes the last step on the dataset; returns its label (null: nothing to undo; `elsewhere`: another tab's, left as it is). */
	async undo(datasetId: string): Promise<{ label: string | null; elsewhere?: string }> {
		const { label, elsewhere } = await dataWorker().undo(datasetId);
		return elsewhere ? { label, elsewhere } : { label };
	}

	saveNames(datasetId: string, names: DefaultNames): Promise<void> {
		return setDefaultNames(getDatabase(), datasetId, names);
	}
}

export const characterLibrary = new CharacterLibraryState();
