import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { counterexamplePath } from '../../properties/counterexample/format.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { decodeCounterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { replayOwn } from '../../properties/counterexample/replay-file.ts';
import { saveCounterexample } from '../../properties/counterexample/save.ts';
import { scratch } from '../scratch.ts';

const good = readFileSync('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json', 'utf8');

/** Replace the value at a random path of a JSON value by `v`. */
const mutate = (root: unknown, path: ReadonlyArray<number>, v: unknown): unknown => {
  if (path.length === 0 || root === null || typeof root !== 'object') return v;
  const keys = Object.keys(root);
  if (keys.length === 0) return v;
  const k = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(root) ? ([...root] as unknown as Record<string, unknown>) : { ...root };
  copy[k] = mutate((root as Record<string, unknown>)[k], path.slice(1), v);
  return copy;
};

describe('the loader never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = decodeCounterexample('gen.json', JSON.stringify(v) ?? 'null');
        expect(E.isLeft(r)).toBe(true);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
  it('on a real file with one field replaced by anything', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue(), (path, v) => {
        const text = JSON.stringify(mutate(JSON.parse(good), path, v));
        const r = decodeCounterexample('gen.json', text);
        if (E.isLeft(r)) {
          expect(r.left.source).toBe('gen.json');
          expect(r.left.message.length).toBeGreaterThan(0);
          expect(r.left.message).not.toContain('\n');
        } else {
          // What decodes must also replay and cite without throwing.
          replayOwn(r.right);
          citationOf(r.right);
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
  it('with absurd sizes that decode: replay rejects them instead of building them', () => {
    const huge = good.replace('"npages":1', `"npages":${Number.MAX_SAFE_INTEGER}`);
    const r = decodeCounterexample('huge.json', huge);
    if (E.isLeft(r)) throw new Error(r.left.message);
    const replayed = replayOwn(r.right);
    expect(replayed.ok).toBe(false);
    expect(!replayed.ok && replayed.why).toContain("over the model's limit");
  });
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(E.isLeft(decodeCounterexample('gen.json', s))).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('saving', () => {
  it('writes atomically under <design>/<invariant>-<id>.json, never overwrites, leaves no temporary file', () => {
    const root = scratch('dmacheck-');
    const cx = loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
    if (E.isLeft(cx)) throw new Error(cx.left.message);
    const saved = saveCounterexample(root, cx.right.file);
    if (E.isLeft(saved)) throw new Error(saved.left);
    const first = saved.right;
    expect(first).toEqual({ path: counterexamplePath(root, cx.right.file), written: true });
    expect(first.path).toBe(`${root}/vma-p2p-map/no-dma-after-free-f522f807c4.json`);
    const before = readFileSync(first.path, 'utf8');
    const second = saveCounterexample(root, { ...cx.right.file, note: 'a different note, same steps' });
    expect(second).toEqual(E.right({ path: first.path, written: false }));
    expect(readFileSync(first.path, 'utf8')).toBe(before);
    expect(readdirSync(`${root}/vma-p2p-map`)).toEqual(['no-dma-after-free-f522f807c4.json']);
    expect(existsSync(`${first.path}.${process.pid}.tmp`)).toBe(false);
  });
});
