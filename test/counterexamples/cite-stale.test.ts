/**
 * Citing the munmap use-after-free of vma-p2p-map (no-dma-after-free at
 * step 5) when the file no longer matches what the model does: the
 * violation is stated only when it happens at the step the file claims,
 * and steps after a rejected call have no effects.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type Citation, citationOf } from '../../properties/counterexample/cite.ts';
import { decodeCounterexample } from '../../properties/counterexample/load.ts';

const good = JSON.parse(readFileSync('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json', 'utf8')) as Record<string, unknown> & { steps: unknown[] };

const cite = (patch: Record<string, unknown>): Citation => {
  const r = decodeCounterexample('x.json', JSON.stringify({ ...good, ...patch }));
  if (E.isLeft(r)) throw new Error(r.left.message);
  return citationOf(r.right);
};

describe('citing a munmap use-after-free file that the model no longer reproduces as claimed', () => {
  it('as stored: the device_write at step 5 is stated as the violation', () => {
    const c = cite({});
    expect(c.violation).toBe('device 1 wrote pfn 6 through mapping 2, but that memory was freed');
    expect(c.steps.map((s) => s.effects)).toStrictEqual([[], [], ['device 1 programmed with mapping 2'], ['vma 1 destroyed'], ['device 1 wrote pfn 6']]);
  });

  it('a file claiming the violation at step 4 (the munmap) states none: the model violates at step 5', () => {
    expect(cite({ violatesAt: 4 }).violation).toBeNull();
  });

  it('without the p2p_map, device_program is rejected: no violation, and no effects from step 2 on', () => {
    const c = cite({ steps: [good.steps[0], good.steps[2], good.steps[3], good.steps[4]], violatesAt: 4 });
    expect(c.violation).toBeNull();
    expect(c.steps.map((s) => [s.call, s.effects])).toStrictEqual([
      ['mmap(mm=0, npages=1, backing=bar(bar=0))', []],
      ['device_program(dev=1, mapping=2)', []],
      ['munmap(mm=0, start=0, npages=1)', []],
      ['device_write(mapping=2, index=0)', []],
    ]);
  });
  it('a file claiming the violation at the rejected device_program (step 2) states none', () => {
    expect(cite({ steps: [good.steps[0], good.steps[2], good.steps[3], good.steps[4]], violatesAt: 2 }).violation).toBeNull();
  });
});
