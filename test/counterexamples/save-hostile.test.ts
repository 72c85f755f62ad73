/**
 * Saving where the file system is not what it should be: every failure is
 * one line naming the path, nothing is written over, nothing is left
 * behind, nothing lands outside the corpus, and "already saved" is said
 * only where the same counterexample is there.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { counterexamplePath, serialise } from '../../properties/counterexample/format.ts';
import { saveCounterexample } from '../../properties/counterexample/save.ts';
import { scratch } from '../scratch.ts';
import { cx, failure } from './save-fixture.ts';


describe('saving into a corpus that is not what it should be', () => {
  it('the corpus folder is a plain file: one line, nothing written', () => {
    const dir = scratch('dmacheck-hostile-');
    const root = join(dir, 'counterexamples');
    writeFileSync(root, 'not a folder');
    expect(failure(root)).toBe(`cannot make ${root}/vma-p2p-map (ENOTDIR): is ${root} a folder, and writable?`);
    expect(readFileSync(root, 'utf8')).toBe('not a folder');
  });

  it("the file's name is taken by a directory, a dangling symbolic link or another file: said, never 'already saved', nothing left behind", () => {
    const cases: ReadonlyArray<readonly [string, (path: string) => void, string]> = [
      ['a directory', (p) => mkdirSync(p), 'is a directory, not a counterexample file: nothing saved'],
      ['a dangling link', (p) => symlinkSync('/nonexistent/target.json', p), 'is a symbolic link, not a counterexample file: nothing saved'],
      ['a damaged file', (p) => writeFileSync(p, '{"format": "dmacheck-coun'), 'is not a valid counterexample file (not JSON (Unterminated string in JSON at position 25)): nothing saved'],
      ['the same steps in a file that does not load', (p) => writeFileSync(p, serialise(cx).replace('"dmacheck-counterexample"', '"garbage"')), 'is not a valid counterexample file (expected "dmacheck-counterexample", got "garbage"): nothing saved'],
      ['another trace', (p) => writeFileSync(p, serialise({ ...cx, steps: cx.steps.slice(0, 1), violatesAt: 1 })), "holds another trace under this one's name: nothing saved"],
      ['the same steps, another violation step', (p) => writeFileSync(p, serialise({ ...cx, violatesAt: 2 })), "holds another trace under this one's name: nothing saved"],
    ];
    for (const [what, put, message] of cases) {
      const root = scratch('dmacheck-hostile-');
      const path = counterexamplePath(root, cx);
      mkdirSync(dirname(path), { recursive: true });
      put(path);
      expect(failure(root), what).toBe(`${path} ${message}`);
      expect(readdirSync(dirname(path)), what).toEqual([basename(path)]);
    }
  });

  it('a design folder that is a symbolic link out of the corpus is refused, and nothing is written there', () => {
    const dir = scratch('dmacheck-hostile-');
    const root = join(dir, 'counterexamples');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(root);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(root, 'vma-p2p-map'));
    expect(failure(root)).toBe(`${root}/vma-p2p-map leads outside ${root} (a symbolic link): nothing saved`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('the same counterexample already there (another title or note): already saved, the file kept as it was', () => {
    const root = scratch('dmacheck-hostile-');
    const path = counterexamplePath(root, cx);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, serialise({ ...cx, title: 'the one kept' }));
    expect(saveCounterexample(root, { ...cx, note: 'new note' })).toEqual(E.right({ path, written: false }));
    expect(readFileSync(path, 'utf8')).toContain('the one kept');
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });
});
