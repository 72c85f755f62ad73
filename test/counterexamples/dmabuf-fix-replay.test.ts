/**
 * "Replay the old trace against the revised design" for the dma-buf
 * threads: each violation of a broken sibling, replayed on the design that
 * fixes it, runs every recorded step as the fixed design's driver code
 * makes it and stops where that code parts from the trace, naming the call
 * the fix adds (the exporter's wait for fences, the importer's lock).
 */
import * as E from 'fp-ts/lib/Either.js';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { crossReplayLine, replayAcross } from '../../properties/counterexample/replay-file.ts';

const load = (dir: string, invariant: string) => {
  const file = readdirSync(`counterexamples/${dir}`).find((f) => f.startsWith(`${invariant}-`))!;
  const cx = loadCounterexample(`counterexamples/${dir}/${file}`);
  if (E.isLeft(cx)) throw new Error(cx.left.message);
  return cx.right;
};

describe('the dma-buf fixes, shown by replaying the broken designs\' traces', () => {
  it("dmabuf-dynamic-nowait's use after the hot-unplug parts on dmabuf-dynamic where VFIO's revoke waits for the fences", () => {
    const cx = load('dmabuf-dynamic-nowait', 'no-dma-after-free');
    expect(replayAcross(cx, designById('dmabuf-dynamic-nowait')!).kind).toBe('violates');
    const r = replayAcross(cx, designById('dmabuf-dynamic')!);
    expect(r.kind).toBe('parted');
    expect(crossReplayLine(r)).toMatch(/dmabuf-dynamic's vfio-revoke-wait \(thread [0-9]+\) calls dma_resv_wait_timeout\(dmabuf=1\) here; the trace calls dma_resv_unlock\(dmabuf=1, dev=0\)$/);
  });

  it("vfio-dmabuf-map-unlocked's trace parts on vfio-dmabuf-revoke at the reservation lock its map path takes first", () => {
    const r = replayAcross(load('vfio-dmabuf-map-unlocked', 'no-dma-after-free'), designById('vfio-dmabuf-revoke')!);
    expect(crossReplayLine(r)).toMatch(/vfio-dmabuf-revoke's dmabuf-map \(thread 3\) calls dma_resv_lock\(dmabuf=1, dev=1\) here; the trace calls dma_buf_map_attachment/);
  });
});
