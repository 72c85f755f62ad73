/**
 * Small shared pieces of the model: the `nat` codec saved traces are
 * decoded with, the classes of rejection reasons, bus addresses and
 * P2P reachability, and the fresh world's free frames.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { range } from '../../model/collections.ts';
import { runPlan } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import { busAddress, p2pReachable } from '../../model/dma-address.ts';
import { nat } from '../../model/op.ts';
import { isIllFormed, isWait, namesAnError } from '../../model/result.ts';
import { IMPORTER, ISOLATED, P2PDMA_PROVIDER, frame, mmapAnon, run, world } from './helpers.ts';

describe('nat: ids, pfns and counts in a saved trace', () => {
  it('accepts 0 and whole numbers; refuses -1, 1.5, a numeric string and NaN', () => {
    expect(E.isRight(nat.decode(0))).toBe(true);
    expect(nat.is(0)).toBe(true);
    expect(E.isRight(nat.decode(7))).toBe(true);
    for (const bad of [-1, 1.5, '3', Number.NaN]) {
      expect(E.isLeft(nat.decode(bad)), String(bad)).toBe(true);
      expect(nat.is(bad), String(bad)).toBe(false);
    }
  });
});

describe('rejection reasons', () => {
  it('namesAnError: the reason starts with the error the kernel returns (-EFAULT: ...) or ill-formed:, not merely mentions one', () => {
    expect(namesAnError('-EFAULT: vma 3 is not mapped')).toBe(true);
    expect(namesAnError('returns NULL: percpu_ref_tryget_live failed')).toBe(true);
    expect(namesAnError('ill-formed: no mm 6')).toBe(true);
    expect(namesAnError('pin_user_pages failed with -EFAULT: no vma')).toBe(false);
    expect(namesAnError('waits: mmap_write_lock of mm 0 is held')).toBe(false);
  });

  it('isWait and isIllFormed look at the prefix of the reason only', () => {
    const r = (reason: string) => ({ op: 'p2p_map', reason });
    expect(isWait(r('waits: mmap_write_lock of mm 0 is held'))).toBe(true);
    expect(isWait(r('-EFAULT: vma 3 is not mapped'))).toBe(false);
    expect(isIllFormed(r('ill-formed: no device 9'))).toBe(true);
    expect(isIllFormed(r('-EFAULT: vma 3 is not mapped'))).toBe(false);
    expect(isIllFormed(r('-ENODEV: the caller passed ill-formed: '))).toBe(false);
  });
});

describe('bus addresses and P2P reachability', () => {
  it('a RAM page has no BAR: its bus address is its physical address (dma-direct)', () => {
    const s = world();
    expect(busAddress(s, frame(s, 3))).toBe(3);
  });

  it('pci_p2pdma_distance: a provider reaches its listed peers only; a device that does not exist reaches no one', () => {
    const s = world();
    expect(p2pReachable(s, P2PDMA_PROVIDER, IMPORTER)).toBe(true);
    expect(p2pReachable(s, P2PDMA_PROVIDER, ISOLATED)).toBe(false);
    expect(p2pReachable(s, 9, IMPORTER)).toBe(false);
  });
});

describe('the fresh world and plans', () => {
  it('every RAM frame of a fresh world is free, unreferenced and maps nothing', () => {
    const s = world();
    expect(s.frames.slice(0, 2).map((f) => ({ free: f.free, refcount: f.refcount, mapping: f.mapping }))).toEqual([
      { free: true, refcount: 0, mapping: { kind: 'none' } },
      { free: true, refcount: 0, mapping: { kind: 'none' } },
    ]);
    expect(range(3)).toEqual([0, 1, 2]);
  });

  it('runPlan: a plan with a call that is not enabled (its build returns null) is not taken', () => {
    expect(runPlan(world(), [() => mmapAnon(1), () => null])).toBeNull();
  });

  it("dma-api-misuse's two-page mmap stops at the design's VMA limit of three", () => {
    const d = designById('dma-api-misuse')!;
    const mmap2 = d.environment.find((t) => t.name === 'mmap_anon(2 pages)')!;
    const two = run(world(), mmapAnon(1), mmapAnon(1)).state;
    expect(mmap2.options(two).map((p) => p.map((b) => b(two, [])))).toEqual([[{ kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } }]]);
    const three = run(two, mmapAnon(1)).state;
    expect(mmap2.options(three)).toEqual([]);
  });
});
