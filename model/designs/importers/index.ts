/**
 * Every importer recipe by name. A device's `driver` names its recipes
 * here, so a state (plain data) says which driver code runs, and a thread
 * in a saved trace replays the code it ran.
 */
import type { Recipe } from '../../recipe.ts';
import { protectReadOnly, recordOnly, stopAndUnmap, wholeRangeOnly } from './invalidate.ts';
import { mapPath } from './map-path.ts';

const all: ReadonlyArray<Recipe> = [
  stopAndUnmap,
  recordOnly,
  wholeRangeOnly,
  protectReadOnly,
  mapPath({ checkRetry: true, record: 'locked' }),
  mapPath({ checkRetry: true, record: 'early' }),
  mapPath({ checkRetry: true, record: 'late' }),
  mapPath({ checkRetry: false, record: 'early' }),
];

const byName = new Map(all.map((r) => [r.name, r]));

export const recipeByName = (name: string): Recipe | undefined => byName.get(name);

export const recipes = all;
