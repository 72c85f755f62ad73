/**
 * PCI P2PDMA (drivers/pci/p2pdma.c, 2019 shape): ZONE_DEVICE pages carved
 * from a provider's BAR, allocated from its gen_pool, mapped with bus
 * addresses, and a provider removal that waits for every page reference.
 */
import { replaceAt } from '../collections.ts';
import { busAddress, directAddress, p2pReachable } from '../dma-address.ts';
import type { Event } from '../event.ts';
import { allocBarFrame, isP2pdmaPage, putPage, setFrame } from '../page.ts';
import { done, illFormed, reject, waits, type Outcome } from '../result.ts';
import type { DeviceId, DmaDirection, Pfn, SglId, State, Vma } from '../state.ts';
import { mapTable, unmap } from './dma.ts';
import { invalidateThen } from './invalidate.ts';
import type { Changed } from '../page.ts';
import { zapPtes } from './vma-teardown.ts';

/**
 * pci_p2pmem_find() (pci_p2pmem_find_many with one client): a live
 * provider of P2PDMA pages that the client can reach (pci_p2pdma_distance);
 * NULL when there is none. With several, the kernel picks among the
 * closest; the model takes the lowest-numbered BAR. p2pmem_published and
 * the reference it takes on the provider's pci_dev are not modelled.
 */
export const pciP2pmemFind = (s: State, client: DeviceId): Outcome => {
  const op = 'pci_p2pmem_find';
  if (s.devices[client] === undefined) return illFormed(op, `no device ${client}`);
  const found = s.bars.find((b) => b.structPages && b.alive && !b.removing && p2pReachable(s, b.device, client));
  if (found === undefined)
    return reject(op, `returns NULL: no live provider of p2pmem that device ${client} can reach${s.devices[client]!.virtDma ? ' (pci_p2pdma_distance_many: device uses dma_virt_ops)' : ''}`);
  return done(s, [{ kind: 'p2pmem-found', provider: found.device }]);
};

/** pci_alloc_p2pmem(): one page from the provider's pool, if its pgmap reference is still live. */
export const pciAllocP2pmem = (s: State, barId: number): Outcome => {
  const op = 'pci_alloc_p2pmem';
  const bar = s.bars[barId];
  if (bar === undefined) return illFormed(op, `no BAR ${barId}`);
  if (!bar.structPages) return reject(op, `returns NULL: BAR ${barId} was not registered with pci_p2pdma_add_resource`);
  if (!bar.alive || bar.removing) return reject(op, `returns NULL: percpu_ref_tryget_live failed, the provider of BAR ${barId} is being removed`);
  const got = allocBarFrame(s, barId);
  if (got === null) return reject(op, `returns NULL: the gen_pool of BAR ${barId} is empty`);
  const [s1, pfn] = got;
  return done(setFrame(s1, { ...s1.frames[pfn]!, mapping: { kind: 'kernel' } }));
};

/** pci_free_p2pmem(): drop the allocation's reference; the page returns to the pool when unreferenced. */
export const pciFreeP2pmem = (s: State, page: Pfn): Outcome => {
  const op = 'pci_free_p2pmem';
  const f = s.frames[page];
  if (f === undefined || !isP2pdmaPage(f)) return illFormed(op, `pfn ${page} is not a P2PDMA page (gen_pool_free would BUG)`);
  if (f.free || f.mapping.kind !== 'kernel') return illFormed(op, `page ${page} was not allocated by pci_alloc_p2pmem (gen_pool_free would BUG)`);
  const p = putPage(setFrame(s, { ...f, mapping: { kind: 'none' } }), page);
  return done(p.state, p.events);
};

/**
 * pci_p2pdma_map_sg() (2019): each entry's address is its physical
 * address minus its pgmap's bus offset, and the call returns nents. It
 * checks nothing per entry: a RAM page (whose page->pgmap is not one)
 * gets an address that reaches nothing, and so does a P2PDMA page of a
 * provider the client cannot reach (the caller was to check
 * pci_p2pdma_distance first). A freed P2PDMA page keeps its bus address.
 */
export const pciP2pdmaMapSg = (s: State, dev: DeviceId, sgl: SglId, dir: DmaDirection): Outcome =>
  // "p2pdma mappings are not compatible with devices that use dma_virt_ops": WARN_ON_ONCE, return 0.
  s.devices[dev]?.virtDma === true
    ? reject('pci_p2pdma_map_sg', `returns 0: device ${dev} uses dma_virt_ops (WARN_ON_ONCE: p2pdma mappings are not compatible with it)`)
    : mapTable(s, 'pci_p2pdma_map_sg', dev, sgl, dir, (f) => {
    if (!isP2pdmaPage(f)) return { dma: directAddress(f), reaches: null };
    const reaches = p2pReachable(s, s.bars[f.bar!]!.device, dev) ? f.pfn : null;
    return { dma: busAddress(s, f), reaches };
  });

export const pciP2pdmaUnmapSg = (s: State, mapping: number, dev: DeviceId): Outcome => unmap(s, 'pci_p2pdma_unmap_sg', mapping, dev);

/**
 * Provider removal, two steps. pci_stop_and_remove_bus_device() starts it:
 * the provider refuses new allocations and mappings, and
 * unmap_mapping_range() zaps every user mapping of its BARs (running mmu
 * notifiers, MMU_NOTIFY_CLEAR). A raw BAR exporter is then gone: whoever
 * still has its addresses has stale ones. For P2PDMA pages the remove path
 * goes on into memunmap_pages(), which kills the pgmap reference and sleeps
 * until every page is unreferenced: `memunmap_pages` is that wait's end,
 * enabled only once nothing holds a page. A reference nobody will drop is a
 * removal that never completes, which nothing in the kernel reports.
 *
 * The call is void. The model removes providers only: removing a device
 * with no BAR (the kernel would unbind its driver and free it) is not
 * modelled, and a second removal names a pci_dev already being freed;
 * both are ill-formed.
 */
export const pciStopAndRemoveBusDevice = (s: State, dev: DeviceId): Outcome => {
  const op = 'pci_stop_and_remove_bus_device';
  if (s.devices[dev] === undefined) return illFormed(op, `no device ${dev}`);
  if (!s.bars.some((b) => b.device === dev)) return illFormed(op, `device ${dev} provides no BAR: the model removes providers only`);
  const bars = s.bars.filter((b) => b.device === dev && b.alive && !b.removing);
  if (bars.length === 0) return illFormed(op, `device ${dev} is already being removed or gone`);
  const ranges = barVmas(s, dev).map((v) => ({ mm: v.mm, start: v.start, end: v.start + v.npages }));
  const dying = { ...s, bars: s.bars.map((b) => (b.device === dev && b.alive ? { ...b, removing: true } : b)) };
  const r = invalidateThen(dying, ranges, 'MMU_NOTIFY_CLEAR', null, { kind: 'unmap_mapping_range', dev }, (st) => removeRest(st, dev));
  return done(r.state, r.events);
};

/** Every VMA mapping a live BAR of `dev`. */
const barVmas = (s: State, dev: DeviceId): ReadonlyArray<Vma> =>
  // Stryker disable next-line OptionalChaining: only a bar/p2pmem VMA reaches it, and its BAR always exists (mmap checks it, bars are never dropped)
  [...s.vmas.values()].filter((v) => (v.backing.kind === 'bar' || v.backing.kind === 'p2pmem') && s.bars[v.backing.bar]?.device === dev && s.bars[v.backing.bar]!.alive);

/**
 * What removal does once the notifiers returned: zap the user mappings; a
 * raw BAR is gone at once, P2PDMA BARs wait in memunmap_pages().
 */
export const removeRest = (s: State, dev: DeviceId): Changed => {
  let state = s;
  const events: Event[] = [];
  for (const v of barVmas(s, dev)) {
    const zap = zapPtes(state, state.vmas.get(v.id)!);
    state = zap.state;
    events.push(...zap.events);
  }
  let removed = false;
  for (const bar of s.bars)
    if (bar.device === dev && bar.alive && !bar.structPages) {
      state = { ...state, bars: replaceAt(state.bars, bar.id, { ...bar, alive: false }) };
      removed = true;
    }
  return { state, events: removed ? [...events, { kind: 'provider-removed', device: dev }] : events };
};

/** The end of memunmap_pages()'s wait: every P2PDMA page of the provider is free, the removal completes. */
export const memunmapPages = (s: State, dev: DeviceId): Outcome => {
  const op = 'memunmap_pages';
  const bars = s.bars.filter((b) => b.device === dev && b.alive && b.removing && b.structPages);
  if (bars.length === 0) return illFormed(op, `device ${dev} has no P2PDMA BAR being removed`);
  if ([...s.invalidations.values()].some((i) => i.then.kind === 'unmap_mapping_range' && i.then.dev === dev))
    return waits(op, `unmap_mapping_range of device ${dev} has not finished`);
  const held = s.frames.filter((f) => f.bar !== null && bars.some((b) => b.id === f.bar) && !f.free);
  if (held.length > 0) return waits(op, `${held.length} P2PDMA page(s) of device ${dev} are still referenced (pfn ${held.map((f) => f.pfn).join(', ')})`);
  const refs = bars.reduce((n, b) => n + b.pgmapRefs, 0);
  if (refs > 0) return waits(op, `the pgmap of device ${dev} still has ${refs} reference(s) that no page holds (its percpu_ref is not zero)`);
  let state = s;
  for (const bar of bars) state = { ...state, bars: replaceAt(state.bars, bar.id, { ...bar, alive: false }) };
  return done(state, [{ kind: 'provider-removed', device: dev }]);
};
