/**
 * Gunthorpe's DMA-only SGL (Jan 2019): DMA mapping happens next to GUP and
 * the caller gets a table of DMA addresses with no CPU side.
 * sgl_dma_map_user() pins ordinary memory (keeping the pages privately to
 * dirty and unpin them at unmap) and asks an exporter's VMA for BAR
 * addresses; sgl_dma_unmap() undoes both.
 */
import * as E from 'fp-ts/lib/Either.js';
import { drop, put } from '../collections.ts';
import { busAddress, directAddress, p2pReachable } from '../dma-address.ts';
import type { Event } from '../event.ts';
import { findVma, freshId } from '../page.ts';
import { done, illFormed, reject, type Outcome } from '../result.ts';
import type { DeviceId, DmaDirection, DmaMapping, MappingId, MmId, PagesId, SglId, State } from '../state.ts';
import { gup, releasePrivatePins } from './gup.ts';
import { exporterMap } from './p2p-vma-ops.ts';

const addTable = (s: State, mapping: MappingId, pages: PagesId | null, nents: number): State => {
  const [s1, id] = freshId(s);
  const entries = Array.from({ length: nents }, () => ({ page: null }));
  return { ...s1, sgls: put(s1.sgls, id, { id, entries, dmaOnly: true, pages, mapping }) };
};

export const sglDmaMapUser = (s: State, dev: DeviceId, mm: MmId, start: number, npages: number, dir: DmaDirection): Outcome => {
  const op = 'sgl_dma_map_user';
  if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
  if (s.mms.get(mm)?.alive !== true) return reject(op, `-EFAULT: mm ${mm} has exited (it has no VMAs)`);
  const v = findVma(s, mm, start);
  if (v === undefined || start + npages > v.start + v.npages)
    return reject(op, `-EFAULT: pages [${start}, ${start + npages}) of mm ${mm} are not inside one vma`);
  const write = dir !== 'to-device';
  if (v.backing.kind === 'bar') {
    if (
      npages !== v.npages ||
      // Stryker disable next-line ConditionalExpression: a range inside the vma (checked above) that starts after it has fewer pages, which npages !== v.npages refuses already
      start !== v.start
    )
      return reject(op, `-EINVAL: the exporter maps whole windows: vma ${v.id} is [${v.start}, ${v.start + v.npages})`);
    const r = exporterMap(s, v, dev, dir, 'sgl_dma_map_user');
    // The sketch names no errors of its own: it passes the exporter's refusal on.
    if (typeof r === 'string') return reject(op, r);
    return done(addTable(r.state, r.mapping, null, v.npages));
  }
  const pinned = gup(s, 'pin', mm, start, npages, { write, longterm: false, p2pdma: true });
  if (E.isLeft(pinned)) return reject(op, pinned.left);
  const { state, pages, events } = pinned.right;
  const entries = state.pageArrays.get(pages)!.pfns.map((pfn) => {
    const f = state.frames[pfn]!;
    return { dma: f.bar === null ? directAddress(f) : busAddress(state, f), pfn, gen: f.gen, reaches: pfn };
  });
  for (const e of entries) {
    const bar = state.frames[e.pfn]!.bar;
    if (bar !== null && !p2pReachable(state, state.bars[bar]!.device, dev))
      return reject(op, `-EREMOTEIO: device ${dev} cannot reach provider ${state.bars[bar]!.device} peer-to-peer`);
  }
  const [s1, id] = freshId(state);
  const table = s1.nextId;
  const m: DmaMapping = { id, device: dev, dir, api: 'sgl_dma_map_user', origin: { kind: 'sgl', sgl: table }, entries, nents: entries.length, mapped: entries.length, errorChecked: false };
  return done(addTable({ ...s1, mappings: put(s1.mappings, id, m) }, id, pages, npages), events);
};

export const sglDmaUnmap = (s: State, sgl: SglId): Outcome => {
  const op = 'sgl_dma_unmap';
  const t = s.sgls.get(sgl);
  if (t === undefined) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (
    // Stryker disable next-line LogicalOperator: an ordinary table always has mapping null and a DMA-only one never (it is born mapped), so || and && agree
    !t.dmaOnly ||
    // Stryker disable next-line ConditionalExpression: a DMA-only table is born mapped: its mapping is never null
    t.mapping === null
  )
    return illFormed(op, `sgl ${sgl} is not a DMA-only table`);
  const events: Event[] = [];
  let state: State = { ...s, sgls: drop(s.sgls, sgl) };
  if (state.mappings.has(t.mapping)) {
    state = { ...state, mappings: drop(state.mappings, t.mapping) };
    events.push({ kind: 'mapping-torn-down', mapping: t.mapping });
  }
  if (t.pages === null) return done(state, events);
  const a = state.pageArrays.get(t.pages);
  // Stryker disable next-line StringLiteral: the private pins are released only here (every other release call refuses them), so they are always held
  if (a === undefined) return illFormed(op, `the pages of sgl ${sgl} are gone`);
  const r = releasePrivatePins(state, t.pages, a.write);
  return E.isLeft(r) ? r : done(r.right.state, [...events, ...r.right.events]);
};
