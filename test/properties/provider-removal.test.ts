/** provider-removal: the invariant (removal completing under live mappings, access after it) and the liveness of the wait. */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { Step } from '../../model/result.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import { removalLiveness } from '../../properties/liveness.ts';
import type { StepTemplate } from '../../model/designs/design.ts';
import { invariantById } from '../../properties/registry.ts';
import { replay } from '../../properties/replay.ts';

const run = (design: string, ops: ReadonlyArray<Op>) => replay(designById(design)!, ops, [invariantById('provider-removal')]);

const bar: Op = { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } };
const imported: ReadonlyArray<Op> = [bar, { kind: 'p2p_map', vma: 1, dev: 1, write: true }, { kind: 'device_program', dev: 1, mapping: 2 }];

describe('provider-removal', () => {
  it('fires when a raw BAR exporter is removed while the importer\'s device is still programmed with its addresses (no notifier)', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind).toBe('violates');
    if (r.kind === 'violates') {
      expect(r.at).toBe(4);
      expect(r.violation.message).toBe('the removal of provider device 0 completed while mapping 2 (p2p_map for device 1) still holds the DMA address of pfn 6');
    }
  });

  it('fires when the mapping was given back but the device was never stopped: its page table still holds the address', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'p2p_unmap', mapping: 2 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind === 'violates' && [r.at, r.violation.message]).toEqual([5, 'the removal of provider device 0 completed while device 1 is still programmed with pfn 6 (mapping 2)']);
  });

  it('holds when the importer stops its device and gives the mapping back before the removal', () => {
    const r = run('vma-p2p-map', [...imported, { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1 }, { kind: 'p2p_unmap', mapping: 2 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }]);
    expect(r.kind).toBe('holds');
  });

  it('holds when the importer\'s notifier callback stops the device and p2p_unmaps before the removal completes', () => {
    const d = designById('vma-p2p-map-notifier')!;
    const ops: Op[] = [bar, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }];
    // The callback runs as thread 4: lock, set_seq, stop, (nothing to unmap), unlock, return; then range_end.
    const callback: Op[] = [
      { kind: 'driver_lock', dev: 1, by: 4 },
      { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3, by: 4 },
      { kind: 'device_stop_dma', dev: 1, mm: 0, start: 0, npages: 1, by: 4 },
      { kind: 'driver_unlock', dev: 1, by: 4 },
      { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 4 },
      { kind: 'mmu_notifier_invalidate_range_end', inv: 3 },
    ];
    const r = replay(d, [...ops, ...callback], [invariantById('provider-removal')]);
    expect(r.kind).toBe('holds');
    if (r.kind === 'holds') expect(r.trace.at(-1)!.events.map((e) => e.kind)).toContain('provider-removed');
  });
});

describe('provider-removal after the removal completed', () => {
  /** Each op run with step() from the design's initial state; returns the state before the last op and its step. */
  const upTo = (design: string, ops: ReadonlyArray<Op>): { before: State; op: Op; step: Step } => {
    let s = makeWorld(designById(design)!.world);
    let last: { before: State; op: Op; step: Step } | null = null;
    for (const op of ops) {
      const r = step(s, op);
      if (E.isLeft(r)) throw new Error(`${op.kind}: ${r.left.reason}`);
      last = { before: s, op, step: r.right };
      s = r.right.state;
    }
    return last!;
  };
  const removed: ReadonlyArray<Op> = [...imported, { kind: 'pci_stop_and_remove_bus_device', dev: 0 }];
  const check = (x: { before: State; op: Op; step: Step }): string | null => {
    const v = invariantById('provider-removal').check(x.before, x.op, x.step);
    return O.isSome(v) ? v.value : null;
  };

  it('names the device that read or wrote a frame of the removed provider', () => {
    expect(check(upTo('vma-p2p-map', [...removed, { kind: 'device_read', mapping: 2, index: 0 }]))).toBe('device 1 read pfn 6 after the removal of provider device 0 completed');
    expect(check(upTo('vma-p2p-map', [...removed, { kind: 'device_write', mapping: 2, index: 0 }]))).toBe('device 1 wrote pfn 6 after the removal of provider device 0 completed');
  });

  it('names the CPU accessor that reached a frame of the removed provider (an event put on a real state: the model leaves no CPU path there)', () => {
    const x = upTo('vma-p2p-map', [...removed, { kind: 'device_read', mapping: 2, index: 0 }]);
    const cpu: Step = { state: x.step.state, events: [{ kind: 'cpu-access', pfn: 6, via: 'memcpy_toio', io: true }] };
    expect(check({ ...x, step: cpu })).toBe('the CPU (memcpy_toio) accessed pfn 6 after the removal of provider device 0 completed');
    const ram: Step = { state: x.step.state, events: [{ kind: 'cpu-access', pfn: 0, via: 'load', io: false }] };
    expect(check({ ...x, step: ram })).toBeNull();
  });

  it('says nothing of an access to a provider that is still there, and judges a removal only by its own BARs', () => {
    expect(check(upTo('vma-p2p-map', [...imported, { kind: 'device_read', mapping: 2, index: 0 }]))).toBeNull();
    const x = upTo('vma-p2p-map', removed);
    expect(check(x)).toBe('the removal of provider device 0 completed while mapping 2 (p2p_map for device 1) still holds the DMA address of pfn 6');
    const other: Step = { ...x.step, events: x.step.events.map((e) => (e.kind === 'provider-removed' ? { ...e, device: 1 } : e)) };
    expect(check({ ...x, step: other })).toBeNull();
  });
});

describe('the liveness of provider removal (memunmap_pages waits for every page)', () => {
  it('in p2pdma-page-sgl a started removal can always still complete: the whole space is explored', () => {
    const r = removalLiveness(designById('p2pdma-page-sgl')!, 20000);
    expect(r).toMatchObject({ kind: 'completes', complete: true });
    if (r.kind === 'completes') expect(r.started).toBeGreaterThan(0);
  });

  it('an orchestrator whose recipe never frees its allocation makes the removal hang, and the shortest trace shows it', () => {
    const d = designById('p2pdma-page-sgl')!;
    const mutant = { ...d, driver: d.driver.filter((t) => t.name !== 'pci_free_p2pmem') };
    const r = removalLiveness(mutant, 20000);
    expect(r.kind).toBe('hangs');
    if (r.kind === 'hangs') {
      expect(r.trace.map((t) => t.op.kind)).toEqual(['pci_alloc_p2pmem', 'pci_stop_and_remove_bus_device']);
      expect(r.held).toEqual([6]);
    }
  });

  it('under a state bound: undecided while some explored removal may still finish beyond it, completes but not complete below the whole space', () => {
    const d = designById('p2pdma-page-sgl')!;
    const at = (n: number) => removalLiveness(d, n);
    expect(at(5)).toEqual({ kind: 'undecided', states: 5, started: 1 });
    expect(at(10)).toEqual({ kind: 'completes', states: 10, started: 2, complete: false });
    expect(at(60)).toEqual({ kind: 'undecided', states: 60, started: 24 });
    expect(at(162)).toEqual({ kind: 'completes', states: 162, started: 80, complete: false });
    expect(at(163)).toEqual({ kind: 'completes', states: 163, started: 81, complete: true });
  });

  it('a hang is reported under a bound once the stuck state\'s whole future is explored, and not before', () => {
    const d = designById('p2pdma-page-sgl')!;
    const mutant = { ...d, driver: d.driver.filter((t) => t.name !== 'pci_free_p2pmem') };
    expect(removalLiveness(mutant, 60)).toEqual({ kind: 'undecided', states: 60, started: 24 });
    const r = removalLiveness(mutant, 100);
    expect(r.kind === 'hangs' && [r.states, r.trace.map((t) => t.op.kind), r.held]).toEqual([100, ['pci_alloc_p2pmem', 'pci_stop_and_remove_bus_device'], [6]]);
    expect(removalLiveness(mutant, 1000)).toMatchObject({ kind: 'hangs', states: 147, held: [6] });
  });

  it('an orchestrator that frees its pages only when it is torn down: the removal waits for that teardown, an outside step, and the report says so', () => {
    const d = designById('p2pdma-page-sgl')!;
    /** The orchestrator's teardown (an administrator removes it): unmap and free every table, then free every page it allocated. */
    const teardown: StepTemplate = {
      name: 'orchestrator teardown',
      role: 'environment',
      weight: 1,
      options: (s) => {
        const mapped = [...s.mappings.values()].filter((m) => m.api === 'pci_p2pdma_map_sg');
        const tables = [...s.sgls.values()];
        const pages = s.frames.filter((f) => f.bar !== null && f.structPage && !f.free && f.mapping.kind === 'kernel');
        if (pages.length === 0) return [];
        return [
          [
            ...mapped.map((m) => () => ({ kind: 'pci_p2pdma_unmap_sg' as const, mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir })),
            ...tables.map((t) => () => ({ kind: 'sg_free_table' as const, sgl: t.id })),
            ...pages.map((f) => () => ({ kind: 'pci_free_p2pmem' as const, page: f.pfn })),
          ],
        ];
      },
    };
    const pool = { ...d, driver: d.driver.filter((t) => t.name !== 'pci_free_p2pmem'), environment: [...d.environment, teardown] };
    const r = removalLiveness(pool, 20000);
    expect(r.kind).toBe('waits');
    if (r.kind === 'waits') {
      expect(r.outside).toEqual(['orchestrator teardown']);
      expect(r.trace.map((t) => t.op.kind)).toEqual(['pci_alloc_p2pmem', 'pci_stop_and_remove_bus_device']);
    }
    // Under a bound that cuts the drivers' own futures short, it is undecided, never "completes".
    for (const n of [8, 20, 60]) expect(removalLiveness(pool, n).kind, `${n} states`).not.toBe('completes');
    // The same pool with the teardown also a step of its own driver (it frees when the removal asks): completes.
    const reacting = { ...pool, driver: [...pool.driver, { ...teardown, name: 'release pool on removal', role: 'driver' as const }] };
    expect(removalLiveness(reacting, 20000)).toMatchObject({ kind: 'completes', complete: true });
  });

  it('a design whose provider has no P2PDMA pages has no such wait', () => {
    expect(removalLiveness(designById('vma-p2p-map')!, 200).kind).toBe('no-removal');
  });
});
