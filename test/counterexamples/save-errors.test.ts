/**
 * Saving when the file system refuses: a corpus folder that cannot be made
 * (EACCES: this machine runs the tests as root, where permissions do not
 * refuse, so node:fs is made to answer as a read-only folder would), a
 * full disk (ENOSPC) while the temporary file is written, an I/O error
 * (EIO) while it is linked into place. Each is one line naming the path
 * and the error, nothing is left behind, nothing already there is touched,
 * and `check --save` says it on stderr and exits 2.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { counterexamplePath } from '../../properties/counterexample/format.ts';
import { saveCounterexample } from '../../properties/counterexample/save.ts';
import { scratch } from '../scratch.ts';
import { cx, failure } from './save-fixture.ts';
import { runCli } from '../cli-in-process.ts';

/** Which node:fs call fails next, and with what code. */
const fault: { call: 'mkdirSync' | 'writeFileSync' | 'linkSync' | null; code: string } = { call: null, code: '' };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const failing =
    <A extends unknown[], R>(name: 'mkdirSync' | 'writeFileSync' | 'linkSync', f: (...a: A) => R) =>
    (...a: A): R => {
      if (fault.call === name) throw Object.assign(new Error(`${fault.code}: injected`), { code: fault.code });
      return f(...a);
    };
  return {
    ...real,
    default: real,
    mkdirSync: failing('mkdirSync', real.mkdirSync as (...a: unknown[]) => string | undefined),
    writeFileSync: failing('writeFileSync', real.writeFileSync as (...a: unknown[]) => void),
    linkSync: failing('linkSync', real.linkSync as (...a: unknown[]) => void),
  };
});

afterEach(() => {
  fault.call = null;
});


describe('saving when the file system refuses', () => {
  it('EACCES making the design folder: one line naming the folder, nothing made', () => {
    const root = join(scratch('dmacheck-eacces-'), 'counterexamples');
    fault.call = 'mkdirSync';
    fault.code = 'EACCES';
    expect(failure(root)).toBe(`cannot make ${root}/vma-p2p-map (EACCES): is ${root} a folder, and writable?`);
    expect(existsSync(root)).toBe(false);
  });

  it('ENOSPC writing the file: one line, no temporary file left, no file in its place', () => {
    const root = join(scratch('dmacheck-enospc-'), 'counterexamples');
    fault.call = 'writeFileSync';
    fault.code = 'ENOSPC';
    expect(failure(root)).toBe(`cannot write ${root}/vma-p2p-map (ENOSPC): nothing saved`);
    expect(readdirSync(join(root, 'vma-p2p-map'))).toEqual([]);
  });

  it('EIO linking the file into place: one line naming the file, the temporary file removed', () => {
    const root = join(scratch('dmacheck-eio-'), 'counterexamples');
    fault.call = 'linkSync';
    fault.code = 'EIO';
    expect(failure(root)).toBe(`cannot save ${counterexamplePath(root, cx)} (EIO)`);
    expect(readdirSync(join(root, 'vma-p2p-map'))).toEqual([]);
  });

  it('after the disk has room again the same save writes the file once', () => {
    const root = join(scratch('dmacheck-again-'), 'counterexamples');
    fault.call = 'writeFileSync';
    fault.code = 'ENOSPC';
    failure(root);
    fault.call = null;
    const r = saveCounterexample(root, cx);
    expect(E.isRight(r) && r.right).toEqual({ path: counterexamplePath(root, cx), written: true });
    expect(readdirSync(join(root, 'vma-p2p-map'))).toEqual([counterexamplePath(root, cx).split('/').at(-1)]);
  });

  it('check --save says a failed save on stderr, in one line naming the file, and exits 2', () => {
    fault.call = 'writeFileSync';
    fault.code = 'ENOSPC';
    const before = readdirSync('counterexamples/vma-p2p-map').sort();
    const r = runCli('check', '--design', 'vma-p2p-map', '--invariant', 'no-dma-after-free', '--save', '--no-timing');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('not saved'))).toEqual([expect.stringMatching(/^dmacheck: not saved: cannot write counterexamples\/vma-p2p-map \(ENOSPC\): nothing saved$/)]);
    expect(readdirSync('counterexamples/vma-p2p-map').sort()).toEqual(before);
  });
});
