/**
 * Replaying a trace across designs when one of its recorded calls was
 * rejected on its own design: a vma-p2p-map trace that calls
 * device_program on a mapping p2p_map never made.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { decodeCounterexample } from '../../properties/counterexample/load.ts';
import { crossReplayLine, replayAcross } from '../../properties/counterexample/replay-file.ts';
import { formatOp } from '../../properties/trace.ts';

const good = JSON.parse(readFileSync('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json', 'utf8')) as Record<string, unknown> & { steps: unknown[] };

describe('cross-design replay of a trace with a call its own design rejected', () => {
  it('without the p2p_map, the notifier design skips device_program and rejects the device_write after munmap', () => {
    const cx = decodeCounterexample('x.json', JSON.stringify({ ...good, steps: [good.steps[0], good.steps[2], good.steps[3], good.steps[4]], violatesAt: 4 }));
    if (E.isLeft(cx)) throw new Error(cx.left.message);
    const r = replayAcross(cx.right, designById('vma-p2p-map-notifier')!);
    expect(crossReplayLine(r)).toBe('step 4 rejected: device_write: ill-formed: mapping 2 is not live: the device has no address from it');
    expect(r.trace.map((t) => formatOp(t.op))).toStrictEqual(['mmap(mm=0, npages=1, backing=bar(bar=0))', 'munmap(mm=0, start=0, npages=1)']);
  });
});
