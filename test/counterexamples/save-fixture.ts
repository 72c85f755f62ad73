/** The counterexample the save tests save, and the line of a save that must fail. */
import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { saveCounterexample } from '../../properties/counterexample/save.ts';

export const cx = (() => {
  const r = loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.file;
})();

/** The failure line of a save of `cx` under `root` that must fail. */
export const failure = (root: string): string => {
  const r = saveCounterexample(root, cx);
  if (E.isRight(r)) return expect.fail(`expected the save to fail, got ${JSON.stringify(r.right)}`);
  return r.left;
};
