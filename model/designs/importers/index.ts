/**
 * Every importer recipe by name. A device's `driver` names its recipes
 * here, so a state (plain data) says which driver code runs, and a thread
 * in a saved trace replays the code it ran.
 */
import type { Recipe } from '../../recipe.ts';
import { activeVariant } from '../../variant.ts';
import { protectReadOnly, recordOnly, stopAndUnmap, wholeRangeOnly } from './invalidate.ts';
import { mapPath } from './map-path.ts';
import { blkRqDmaMapIova, blkRqDmaMapIova617 } from './block-iova.ts';
import { vfioRevoke, vfioRevokeWait } from './dmabuf-exporter.ts';
import { dmabufMapLocked, dmabufMapPinned, dmabufMapUnlocked, dmabufSubmitFenced, moveNotifyInvalidate, moveNotifyUnmap, moveNotifyWarn } from './dmabuf.ts';
import { mirrorFault, mirrorInvalidate, mirrorInvalidateSkipHarmless } from './mirror.ts';

const all: ReadonlyArray<Recipe> = [
  stopAndUnmap,
  recordOnly,
  wholeRangeOnly,
  protectReadOnly,
  mapPath({ checkRetry: true, record: 'locked' }),
  mapPath({ checkRetry: true, record: 'early' }),
  mapPath({ checkRetry: true, record: 'late' }),
  mapPath({ checkRetry: false, record: 'early' }),
  mapPath({ checkRetry: true, record: 'locked', programUnderLock: false }),
  mirrorInvalidate,
  mirrorInvalidateSkipHarmless,
  mirrorFault({ checkRetry: true }),
  mirrorFault({ checkRetry: false }),
  dmabufMapLocked,
  dmabufMapUnlocked,
  dmabufMapPinned,
  moveNotifyUnmap,
  moveNotifyWarn,
  dmabufSubmitFenced,
  moveNotifyInvalidate,
  vfioRevoke,
  vfioRevokeWait,
  blkRqDmaMapIova617,
  blkRqDmaMapIova,
];

const byName = new Map(all.map((r) => [r.name, r]));

/** The recipe `name`, as a variant (model/variant.ts) may have broken it. */
export const recipeByName = (name: string): Recipe | undefined => {
  const r = byName.get(name);
  const broken = r === undefined ? undefined : activeVariant()?.recipes[name];
  return broken === undefined || r === undefined ? r : broken(r);
};

export const recipes = all;
