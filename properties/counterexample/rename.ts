/**
 * Replaying a trace against another design means the other design's
 * driver makes each call its own way (its `translate`), which can create
 * more or fewer objects, so later ids differ. Objects are matched by kind
 * in creation order, and every id argument is renamed through that map.
 * Frames are matched the same way: the frames a call allocated (its
 * generation went up), in pfn order, so a `page=N` argument follows the
 * page when the other design allocated one more before it (early COW at
 * fork, say).
 */
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';

const collections = { mm: 'mms', vma: 'vmas', pages: 'pageArrays', sgl: 'sgls', mapping: 'mappings', notifier: 'notifiers', inv: 'invalidations', by: 'threads' } as const;
type CollectionKind = keyof typeof collections;
/** Argument names that name an object: the collections' ids, and `page` (a pfn). */
type IdKind = CollectionKind | 'page';
const collectionKinds = Object.keys(collections) as CollectionKind[];
const idKinds: ReadonlyArray<IdKind> = [...collectionKinds, 'page'];

export interface Created {
  readonly kind: IdKind;
  readonly id: number;
}

/** Objects present in `after` but not in `before`, by kind, in id order; frames allocated in between, in pfn order. */
export const createdObjects = (before: State, after: State): ReadonlyArray<Created> => [
  ...collectionKinds.flatMap((kind) => {
    const b = before[collections[kind]] as ReadonlyMap<number, unknown>;
    const a = after[collections[kind]] as ReadonlyMap<number, unknown>;
    return [...a.keys()].filter((id) => !b.has(id)).sort((x, y) => x - y).map((id) => ({ kind, id }));
  }),
  ...after.frames.filter((f) => f.gen > (before.frames[f.pfn]?.gen ?? 0)).map((f): Created => ({ kind: 'page', id: f.pfn })),
];

export class IdMap {
  private readonly map = new Map<string, number>();

  /** Pair what the recorded call created with what the replayed calls created, kind by kind. */
  learn(recorded: ReadonlyArray<Created>, replayed: ReadonlyArray<Created>): void {
    for (const kind of idKinds) {
      const r = replayed.filter((c) => c.kind === kind);
      recorded.filter((c) => c.kind === kind).forEach((c, i) => {
        const to = r[i];
        if (to !== undefined) this.map.set(`${kind}:${c.id}`, to.id);
      });
    }
  }

  rename(op: Op): Op {
    const out: Record<string, unknown> = { ...op };
    for (const kind of idKinds) {
      const v = out[kind];
      if (typeof v === 'number') out[kind] = this.map.get(`${kind}:${v}`) ?? v;
    }
    return out as Op;
  }
}
