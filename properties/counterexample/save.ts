/**
 * Saving a counterexample: atomic (written to a temporary file, then
 * linked into place, which fails if the name exists), never overwriting
 * (a file with the same id is the same counterexample), never touching any
 * other file.
 */
import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import fc from 'fast-check';
import type { Design } from '../../model/designs/design.ts';
import { defaultWorld, isDefaultWorld, type World, worldRecord } from '../../model/designs/world-choice.ts';
import type { Op } from '../../model/op.ts';
import type { InvariantId } from '../invariant.ts';
import { toJsonStep } from '../trace.ts';
import { type CounterexampleFile, counterexamplePath, FORMAT, serialise, VERSION } from './format.ts';

export interface Provenance {
  readonly by: string;
  readonly seed?: number;
  readonly path?: string;
}

export const toCounterexampleFile = (
  design: Design,
  invariant: InvariantId,
  ops: ReadonlyArray<Op>,
  found: Provenance,
  title?: string,
  note?: string,
  world: World = defaultWorld,
): CounterexampleFile => ({
  format: FORMAT,
  version: VERSION,
  design: design.id,
  invariant,
  ...(title === undefined ? {} : { title }),
  ...(note === undefined ? {} : { note }),
  violatesAt: ops.length,
  steps: ops.map(toJsonStep),
  found: {
    by: found.by,
    ...(found.seed === undefined ? {} : { seed: found.seed }),
    ...(found.path === undefined ? {} : { path: found.path }),
    ...(found.by === 'fast-check' ? { fastCheckVersion: fc.__version } : {}),
    date: new Date().toISOString().slice(0, 10),
  },
  ...(isDefaultWorld(world) ? {} : { world: worldRecord(world) }),
});

/** Write `file` under `root` unless a file with its id is already there. */
export const saveCounterexample = (root: string, file: CounterexampleFile): { readonly path: string; readonly written: boolean } => {
  const path = counterexamplePath(root, file);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, serialise(file), { flag: 'wx' });
  try {
    linkSync(tmp, path);
    return { path, written: true };
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') return { path, written: false };
    throw err;
  } finally {
    unlinkSync(tmp);
  }
};
