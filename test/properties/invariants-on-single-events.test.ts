/**
 * no-cpu-iomem, correct-dirtying and pin-coherent judged on one event at a
 * time, in the default world (RAM 0..7, P2PDMA BAR 8..9, raw BAR 10..11):
 * the exact message for the event each rule forbids, and none for its
 * nearest harmless neighbour.
 */
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { replaceAt } from '../../model/collections.ts';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import type { Invariant } from '../../properties/invariant.ts';
import { correctDirtying } from '../../properties/invariants/correct-dirtying.ts';
import { noCpuIomem } from '../../properties/invariants/no-cpu-iomem.ts';
import { pinCoherent } from '../../properties/invariants/pin-coherent.ts';
import { IMPORTER, P2PDMA_BASE, RAW_BASE, eraWith, mmapAnon, mmapFile, oldEra, pfnAt, pin, run, world } from '../model/helpers.ts';

const op: Op = { kind: 'sg_virt', sgl: 0, index: 0 };
const verdict = (inv: Invariant, before: State, events: ReadonlyArray<Event>, after: State = before): string | null =>
  O.toNullable(inv.check(before, op, { state: after, events }));
const exercised = (inv: Invariant, before: State, events: ReadonlyArray<Event>): boolean => inv.exercised(before, op, { state: before, events });
const cpu = (pfn: number, io = false): Event => ({ kind: 'cpu-access', pfn, via: 'kmap_local_page', io });

describe('no-cpu-iomem', () => {
  const s = world();
  it('sg_virt of a table entry with no page', () => {
    expect(verdict(noCpuIomem, s, [{ kind: 'cpu-access-no-page', sgl: 5, index: 2, via: 'sg_virt' }])).toBe(
      "sg_virt dereferenced entry 2 of sgl 5, which has no page: the table's CPU side was left out, and its memory may be __iomem",
    );
  });
  it('kmap_local_page of a raw BAR pfn is a plain access to raw MMIO; of RAM, or through memcpy_toio, it is fine', () => {
    expect(verdict(noCpuIomem, s, [cpu(0), cpu(RAW_BASE)])).toBe(`kmap_local_page made a plain CPU access to pfn ${RAW_BASE}, raw MMIO in BAR 1 of device 2 (__iomem)`);
    expect(verdict(noCpuIomem, s, [cpu(0)])).toBeNull();
    expect(verdict(noCpuIomem, s, [cpu(P2PDMA_BASE, true)])).toBeNull();
  });
  it('exercised by a plain CPU access or a walk of a missing page, not by an __iomem accessor or a device access', () => {
    expect(exercised(noCpuIomem, s, [cpu(0)])).toBe(true);
    expect(exercised(noCpuIomem, s, [{ kind: 'cpu-access-no-page', sgl: 5, index: 2, via: 'sg_virt' }])).toBe(true);
    expect(exercised(noCpuIomem, s, [cpu(RAW_BASE, true)])).toBe(false);
    expect(exercised(noCpuIomem, s, [{ kind: 'page-dirtied', pfn: 0 }])).toBe(false);
  });
});

describe('correct-dirtying', () => {
  const dropped = (pin: boolean, write: boolean, undirtiedDeviceData: boolean): Event => ({ kind: 'reference-dropped', pfn: 3, pages: 7, pin, write, undirtiedDeviceData });
  it('unpin_user_pages or put_page of a written page holding undirtied device data loses the write', () => {
    expect(verdict(correctDirtying, world(), [dropped(true, true, true)])).toBe(
      'the pin on page 3 (pages 7) was dropped while it held device-written data nobody dirtied: the write is lost',
    );
    expect(verdict(correctDirtying, world(), [dropped(false, true, true)])).toBe(
      'the reference on page 3 (pages 7) was dropped while it held device-written data nobody dirtied: the write is lost',
    );
  });
  it('a read-only reference, or one whose data was dirtied, is dropped safely', () => {
    expect(verdict(correctDirtying, world(), [dropped(true, false, true)])).toBeNull();
    expect(verdict(correctDirtying, world(), [dropped(true, true, false)])).toBeNull();
  });
  it('set_page_dirty of a P2PDMA BAR page before the GUP gate; after it the page is never dirtied there', () => {
    const old = world(oldEra);
    expect(verdict(correctDirtying, old, [{ kind: 'page-dirtied', pfn: P2PDMA_BASE }])).toBe(`page ${P2PDMA_BASE} was dirtied, but it is __iomem in BAR 0: dirtying has no meaning there`);
    const gated = world(eraWith({ p2pGupGate: true }, oldEra));
    expect(verdict(correctDirtying, gated, [{ kind: 'page-dirtied', pfn: P2PDMA_BASE }])).toBeNull();
  });
});

describe('pin-coherent', () => {
  /** Anon pages 0..2 written; pin_user_pages of pages 1 and 2 for writing. */
  const { state: s1 } = run(world(), mmapAnon(3), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 }, { kind: 'write_fault', mm: 0, addr: 2 }, pin(1, 2, true));
  const page0 = pfnAt(s1, 0, 0);
  const page2 = pfnAt(s1, 0, 2);
  const vma = [...s1.vmas.values()][0]!;
  /** The process now maps another frame (7, free in this world) at page 2: a COW broke the pin. */
  const replaced: State = { ...s1, vmas: new Map([[vma.id, { ...vma, ptes: replaceAt(vma.ptes, 2, { pfn: 7, writable: true }) }]]) };
  const access = (pfn: number, write: boolean): Event => ({ kind: 'device-access', device: IMPORTER, mapping: 9, pfn, gen: 1, reached: pfn, write });

  it('a device write to the pinned page the process no longer maps at page 2', () => {
    expect(verdict(pinCoherent, replaced, [access(page2, true)])).toBe(
      `device 1 wrote pfn ${page2}, which mm 0 got from pin_user_pages at virtual page 2, but mm 0 now maps pfn 7 there: the write is lost to the process`,
    );
    expect(exercised(pinCoherent, replaced, [access(page2, true)])).toBe(true);
  });
  it('pin_user_pages across an anon and a file VMA: a write to the file page is judged against the file VMA', () => {
    const { state: two } = run(world(), mmapAnon(1), mmapFile(1), { kind: 'write_fault', mm: 0, addr: 0 }, { kind: 'write_fault', mm: 0, addr: 1 }, pin(0, 2, true));
    const filePage = pfnAt(two, 0, 1);
    const fileVma = [...two.vmas.values()].find((v) => v.start === 1)!;
    expect([...two.pageArrays.values()][0]!.vmas).toHaveLength(2);
    const moved: State = { ...two, vmas: new Map([...two.vmas].map(([id, v]) => [id, id === fileVma.id ? { ...v, ptes: [{ pfn: 7, writable: true }] } : v])) };
    expect(verdict(pinCoherent, moved, [access(filePage, true)])).toBe(
      `device 1 wrote pfn ${filePage}, which mm 0 got from pin_user_pages at virtual page 1, but mm 0 now maps pfn 7 there: the write is lost to the process`,
    );
  });

  it('a CPU access to a FOLL_LONGTERM-pinned page the process no longer maps is not a device access', () => {
    const { state: lt } = run(world(), mmapAnon(1), { kind: 'write_fault', mm: 0, addr: 0 }, pin(0, 1, true, { longterm: true }));
    const pinnedPfn = pfnAt(lt, 0, 0);
    const v = [...lt.vmas.values()][0]!;
    const moved: State = { ...lt, vmas: new Map([[v.id, { ...v, ptes: [{ pfn: 7, writable: true }] }]]) };
    expect(verdict(pinCoherent, moved, [{ kind: 'cpu-access', pfn: pinnedPfn, via: 'load', io: false }])).toBeNull();
    expect(verdict(pinCoherent, moved, [access(pinnedPfn, false)])).toBe(
      `device 1 read pfn ${pinnedPfn}, which mm 0 got from pin_user_pages at virtual page 0, but mm 0 now maps pfn 7 there: the device reads data the process has replaced`,
    );
  });

  it('not a read through a short-term pin, nor a write to a page the array does not hold (page 0, below it)', () => {
    expect(verdict(pinCoherent, replaced, [access(page2, false)])).toBeNull();
    expect(verdict(pinCoherent, replaced, [access(page0, true)])).toBeNull();
    expect(exercised(pinCoherent, replaced, [access(page0, true)])).toBe(false);
    expect(s1.frames[6]!.free).toBe(true);
    expect(verdict(pinCoherent, replaced, [access(6, true)])).toBeNull();
    expect(exercised(pinCoherent, replaced, [access(6, true)])).toBe(false);
  });
});
