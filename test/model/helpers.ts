/**
 * Shared helpers for the model unit tests: a small default world, running
 * ops that must be accepted, and checking rejections (reason and the
 * untouched input state).
 */
import { present } from '../../model/page.ts';
import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { pre58 } from '../../model/designs/vmsplice.ts';
import { peekThread } from '../../model/driver-thread.ts';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import { isWait, namesAnError, rejectionMessage } from '../../model/result.ts';
import type { Era, Frame, State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { currentEra, makeWorld, type WorldSpec } from '../../model/world.ts';

/** Device ids of the default world. */
export const P2PDMA_PROVIDER = 0;
export const IMPORTER = 1;
export const RAW_EXPORTER = 2;
export const ISOLATED = 3;

/** BAR ids of the default world. */
export const P2PDMA_BAR = 0;
export const RAW_BAR = 1;

/** pfn layout of the default world: RAM 0..7, P2PDMA BAR 8..9, raw BAR 10..11. */
export const RAM_PAGES = 8;
export const P2PDMA_BASE = 8;
export const RAW_BASE = 10;

/** Every era switch off: the 2019 kernel (the era vmsplice-leak runs on). */
export const oldEra: Era = pre58;

export const worldSpec = (era: Era = currentEra): WorldSpec => ({
  ramPages: RAM_PAGES,
  devices: [
    { name: 'p2pdma provider', p2pPeers: [IMPORTER] },
    { name: 'importer NIC', p2pPeers: [P2PDMA_PROVIDER, RAW_EXPORTER] },
    { name: 'raw BAR exporter', p2pPeers: [IMPORTER] },
    { name: 'isolated device', p2pPeers: [] },
  ],
  bars: [
    { device: P2PDMA_PROVIDER, npages: 2, structPages: true },
    { device: RAW_EXPORTER, npages: 2, structPages: false },
  ],
  filePages: 4,
  era,
});

/** The default world under `era` (today's kernel unless told otherwise). */
export const world = (era: Era = currentEra): State => makeWorld(worldSpec(era));

/** `era` with some switches changed. */
export const eraWith = (changes: Partial<Era>, base: Era = currentEra): Era => ({ ...base, ...changes });

export interface Ran {
  readonly state: State;
  readonly events: ReadonlyArray<Event>;
}

/** A deep copy of a state (Maps included) to compare the input against after a step. */
export const snapshot = (s: State): State => structuredClone(s);

/** Fail the test unless `op` is accepted and `s` is left untouched; return the step. */
export const accept = (s: State, op: Op): Ran => {
  const before = snapshot(s);
  const r = step(s, op);
  if (E.isLeft(r)) expect.fail(`expected ${op.kind} to be accepted, was rejected: ${rejectionMessage(r.left)}`);
  expect(s, `${op.kind} mutated its input state`).toEqual(before);
  return r.right;
};

/** Apply `ops` in order; any rejection fails the test with its message. Events of all ops are concatenated. */
export const run = (s: State, ...ops: ReadonlyArray<Op>): Ran =>
  ops.reduce<Ran>(
    (acc, op) => {
      const r = accept(acc.state, op);
      return { state: r.state, events: [...acc.events, ...r.events] };
    },
    { state: s, events: [] },
  );

/**
 * Fail the test unless `op` is rejected (with `op.kind` as the rejecting op)
 * and the input state is deep-equal to what it was and keeps the identity
 * of its collections. Every op follows the rejection rule of docs/model.md:
 * the reason names the error the kernel returns, or says the call is
 * ill-formed, or that it waits. Returns the reason.
 */
export const rejectedWith = (s: State, op: Op): string => {
  const before = snapshot(s);
  const parts = { frames: s.frames, bars: s.bars, inodes: s.inodes, mms: s.mms, vmas: s.vmas, pageArrays: s.pageArrays, sgls: s.sgls, mappings: s.mappings, notifiers: s.notifiers };
  const r = step(s, op);
  if (E.isRight(r)) return expect.fail(`expected ${op.kind} to be rejected, it was accepted`);
  expect(r.left.op).toBe(op.kind);
  expect(namesAnError(r.left.reason) || isWait(r.left), `${op.kind}: "${r.left.reason}" names no error return, is not ill-formed and does not wait`).toBe(true);
  expect(s, `${op.kind} mutated its input state`).toEqual(before);
  for (const [k, v] of Object.entries(parts)) expect(s[k as keyof typeof parts], `${k} was replaced`).toBe(v);
  return r.left.reason;
};

/** The largest key of a map: the object created last (ids come from one increasing counter). */
export const lastId = <V>(m: ReadonlyMap<number, V>): number => {
  const keys = [...m.keys()];
  if (keys.length === 0) return expect.fail('the map is empty');
  return Math.max(...keys);
};

/** The key `after` has and `before` lacks (exactly one). */
export const newId = <V>(before: ReadonlyMap<number, V>, after: ReadonlyMap<number, V>): number => {
  const added = [...after.keys()].filter((k) => !before.has(k));
  expect(added, 'exactly one object was created').toHaveLength(1);
  return added[0]!;
};

export const frame = (s: State, pfn: number): Frame => {
  const f = s.frames[pfn];
  if (f === undefined) return expect.fail(`no frame ${pfn}`);
  return f;
};

/** The PTE at virtual page `addr` of `mm`'s VMA covering it. */
export const pteAt = (s: State, mm: number, addr: number): { readonly pfn: number; readonly writable: boolean } | null => {
  const v = [...s.vmas.values()].find((x) => x.mm === mm && addr >= x.start && addr < x.start + x.npages);
  if (v === undefined) return expect.fail(`no vma of mm ${mm} covers ${addr}`);
  return present(v.ptes[addr - v.start]);
};

/** The pfn the PTE at `addr` of `mm` maps; fails if not present. */
export const pfnAt = (s: State, mm: number, addr: number): number => {
  const p = pteAt(s, mm, addr);
  if (p === null) return expect.fail(`page ${addr} of mm ${mm} is not present`);
  return p.pfn;
};

export const kinds = (events: ReadonlyArray<Event>): ReadonlyArray<Event['kind']> => events.map((e) => e.kind);

// Common ops, mm 0 unless told otherwise.
export const mmapAnon = (npages = 1, mm = 0): Op => ({ kind: 'mmap', mm, npages, backing: { kind: 'anon' } });
export const mmapFile = (npages = 1, mm = 0): Op => ({ kind: 'mmap', mm, npages, backing: { kind: 'file', inode: 0 } });
export const mmapBar = (npages = 1, mm = 0): Op => ({ kind: 'mmap', mm, npages, backing: { kind: 'bar', bar: RAW_BAR } });
export const mmapP2pmem = (npages = 1, mm = 0): Op => ({ kind: 'mmap', mm, npages, backing: { kind: 'p2pmem', bar: P2PDMA_BAR } });
export const writeFault = (addr: number, mm = 0): Op => ({ kind: 'write_fault', mm, addr });
export const gup = (start: number, npages: number, write: boolean, mm = 0): Op => ({ kind: 'get_user_pages', mm, start, npages, write });
export const pin = (start: number, npages: number, write: boolean, extra: { longterm?: boolean; p2pdma?: boolean; mm?: number } = {}): Op => ({
  kind: 'pin_user_pages',
  mm: extra.mm ?? 0,
  start,
  npages,
  write,
  longterm: extra.longterm ?? false,
  p2pdma: extra.p2pdma ?? false,
});

/**
 * The initial state of a design's world: device 0 provides a raw BAR
 * (BAR 0, pfns after the RAM), device 1 imports and, in the notifier
 * designs, runs the design's driver recipes.
 */
export const designWorld = (id: string): State => {
  const d = designById(id);
  if (d === undefined) return expect.fail(`no design ${id}`);
  return makeWorld(d.world);
};

/** The driver thread the kernel started for a notifier callback in `events` (the first one). */
export const callbackThread = (events: ReadonlyArray<Event>): number => {
  const e = events.find((x) => x.kind === 'callback-invoked');
  if (e?.kind !== 'callback-invoked') return expect.fail('no invalidate callback was invoked');
  return e.thread;
};

export interface ThreadRun extends Ran {
  /** The calls the thread made, in order, each with `by`. */
  readonly ops: ReadonlyArray<Op>;
}

/** Step driver thread `tid` (its next call from peekThread, each accepted) until it ends or `limit` calls were made. */
export const runThread = (s: State, tid: number, limit = 32): ThreadRun => {
  let state = s;
  const events: Event[] = [];
  const ops: Op[] = [];
  while (state.threads.has(tid) && ops.length < limit) {
    const op = peekThread(state, tid);
    if (op === null) return expect.fail(`driver thread ${tid} has no next call`);
    const r = accept(state, op);
    ops.push(op);
    events.push(...r.events);
    state = r.state;
  }
  return { state, events, ops };
};

/**
 * Let every invalidation finish: run each callback thread the kernel
 * started to its end (a later callback starts when one returns), then
 * mmu_notifier_invalidate_range_end.
 */
export const finishInvalidations = (s: State): Ran => {
  let acc: Ran = { state: s, events: [] };
  for (let guard = 0; acc.state.invalidations.size > 0 && guard < 16; guard++) {
    const inv = [...acc.state.invalidations.values()][0]!;
    const r = inv.running === null ? accept(acc.state, { kind: 'mmu_notifier_invalidate_range_end', inv: inv.id }) : runThread(acc.state, inv.running);
    acc = { state: r.state, events: [...acc.events, ...r.events] };
  }
  expect(acc.state.invalidations.size, 'every invalidation ended').toBe(0);
  return acc;
};

/** munmap of the whole of VMA `vma` as it is in `s`: munmap(mm, start, npages). */
export const munmapVma = (s: State, vma: number): Op => {
  const v = s.vmas.get(vma);
  if (v === undefined) throw new Error(`test setup: no vma ${vma}`);
  return { kind: 'munmap', mm: v.mm, start: v.start, npages: v.npages };
};
