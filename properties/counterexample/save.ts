/**
 * Saving a counterexample: atomic (written to a temporary file, then
 * linked into place, which fails if the name exists), never overwriting
 * (a file with the same id is the same counterexample), never touching any
 * other file.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadCounterexample } from './load.ts';
import * as E from 'fp-ts/lib/Either.js';
import { dirname } from 'node:path';
import fc from 'fast-check';
import type { Design } from '../../model/designs/design.ts';
import { defaultWorld, isDefaultWorld, type World, worldRecord } from '../../model/designs/world-choice.ts';
import type { Op } from '../../model/op.ts';
import type { InvariantId } from '../invariant.ts';
import { toJsonStep } from '../trace.ts';
import { type CounterexampleFile, counterexampleId, counterexamplePath, FORMAT, serialise, VERSION } from './format.ts';

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

export type Saved = E.Either<string, { readonly path: string; readonly written: boolean }>;

const codeOf = (err: unknown): string => (err instanceof Error && 'code' in err ? String(err.code) : String(err));

/**
 * What is at `path`, which already exists: the same counterexample (a
 * regular file whose design, steps and sizes give the same id), or why not.
 */
const sameThere = (path: string, file: CounterexampleFile): string | null => {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return `${path} is a symbolic link, not a counterexample file`;
    if (!st.isFile()) return `${path} is a ${st.isDirectory() ? 'directory' : 'special file'}, not a counterexample file`;
  } catch (err) {
    return `${path} cannot be read (${codeOf(err)})`;
  }
  // The file must load as a counterexample (the loader's bounds and checks), and be this one: same design, steps, world sizes, invariant and step.
  const there = loadCounterexample(path);
  if (E.isLeft(there)) return `${path} is not a valid counterexample file (${there.left.message})`;
  const f = there.right.file;
  const same = f.design === file.design && counterexampleId(f.design, f.steps, f.world) === counterexampleId(file.design, file.steps, file.world) && f.invariant === file.invariant && f.violatesAt === file.violatesAt;
  return same ? null : `${path} holds another trace under this one's name`;
};

/**
 * Write `file` under `root` unless the same counterexample is there
 * already: atomically (a temporary file linked into place, which fails if
 * the name exists), never over anything, nothing left behind on failure,
 * and never outside `root` (a design folder that is a symbolic link
 * elsewhere is refused). Total: a failure is one line naming the path.
 */
export const saveCounterexample = (root: string, file: CounterexampleFile): Saved => {
  const path = counterexamplePath(root, file);
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    return E.left(`cannot make ${folder} (${codeOf(err)}): is ${root} a folder, and writable?`);
  }
  try {
    if (lstatSync(folder).isSymbolicLink() || !realpathSync(folder).startsWith(`${realpathSync(root)}/`))
      return E.left(`${folder} leads outside ${root} (a symbolic link): nothing saved`);
  } catch (err) {
    return E.left(`cannot check ${folder} (${codeOf(err)})`);
  }
  // A name no other process, and no file left by an earlier one, can have.
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    try {
      writeFileSync(tmp, serialise(file), { flag: 'wx' });
    } catch (err) {
      return E.left(`cannot write ${folder} (${codeOf(err)}): nothing saved`);
    }
    try {
      linkSync(tmp, path);
      return E.right({ path, written: true });
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') return E.left(`cannot save ${path} (${codeOf(err)})`);
      const why = sameThere(path, file);
      return why === null ? E.right({ path, written: false }) : E.left(`${why}: nothing saved`);
    }
  } finally {
    // Never left behind, and never in the way of the answer (a failure to remove it is ignored).
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* the Either above is the answer */
    }
  }
};

/** The line a command prints for a save: `saved P`, `already saved P`, or the failure (for stderr, after `dmacheck: `). */
export const savedLine = (r: Saved): { readonly ok: boolean; readonly line: string } =>
  E.isLeft(r) ? { ok: false, line: `not saved: ${r.left}` } : { ok: true, line: `${r.right.written ? 'saved' : 'already saved'} ${r.right.path}` };
