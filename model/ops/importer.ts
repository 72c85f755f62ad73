/**
 * What an importing driver does to its own device, as steps the search can
 * interleave: its update lock (`driver->update` in hmm.rst), programming
 * the device's page table with DMA addresses it got from the exporter,
 * stopping the device's DMA to a range and waiting for it, and starting or
 * ending one of its own code paths. None of this is kernel policy: the
 * driver's recipes (model/designs/importers/) decide when each is called.
 * These are driver actions, not kernel calls: none returns an error. What
 * the driver cannot do (a device or notifier it does not have, addresses
 * it never got) is ill-formed.
 */
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import { freshId, setFrame } from '../page.ts';
import { done, illFormed, waits, type Outcome } from '../result.ts';
import type { DeviceId, DeviceRange, DmaDirection, DriverRecord, DriverThread, MappingId, MappedEntry, MmId, NotifierId, State, ThreadId } from '../state.ts';
import { overlaps } from './invalidate.ts';

/** mutex_lock(&driver->update): sleeps while held. */
export const driverLock = (s: State, dev: DeviceId): Outcome => {
  if (s.devices[dev] === undefined) return illFormed('driver_lock', `no device ${dev}`);
  if (s.driverLocks.includes(dev)) return waits('driver_lock', `device ${dev}'s driver lock is held`);
  return done({ ...s, driverLocks: [...s.driverLocks, dev].sort((a, b) => a - b) });
};

/** mutex_unlock(&driver->update). Unlocking an unlocked mutex is a driver bug the kernel only warns about: a no-op here. */
export const driverUnlock = (s: State, dev: DeviceId): Outcome => {
  if (s.devices[dev] === undefined) return illFormed('driver_unlock', `no device ${dev}`);
  return done({ ...s, driverLocks: s.driverLocks.filter((d) => d !== dev) });
};

interface Held {
  readonly dir: DmaDirection;
  readonly mm: MmId;
  readonly start: number;
  readonly end: number;
  readonly entries: ReadonlyArray<MappedEntry>;
  readonly streaming: boolean;
}

/**
 * The addresses of `mapping` the driver of `dev` holds: the live p2p_map
 * result, the copy a map path kept after it was torn down, or what
 * dma_map_sg returned for a table the driver built from pinned user pages
 * (the device's target is then that user buffer).
 */
const heldAddresses = (s: State, dev: DeviceId, mapping: MappingId): Held | null => {
  const m = s.mappings.get(mapping);
  if (m !== undefined && m.device === dev && m.origin.kind === 'vma-op')
    return { dir: m.dir, mm: m.origin.mm, start: m.origin.start, end: m.origin.start + m.origin.npages, entries: m.entries, streaming: false };
  if (m !== undefined && m.device === dev && m.api === 'dma_map_sg' && m.origin.kind === 'sgl') {
    const pages = s.sgls.get(m.origin.sgl)?.pages;
    const a = pages === null || pages === undefined ? undefined : s.pageArrays.get(pages);
    if (a !== undefined) return { dir: m.dir, mm: a.mm, start: a.start, end: a.start + a.pfns.length, entries: m.entries, streaming: true };
  }
  for (const t of s.threads.values()) {
    if (t.device !== dev || t.mapping !== mapping || t.entries === null) continue;
    const n = (t.notifier === null ? undefined : s.notifiers.get(t.notifier));
    // The map path asked p2p_map for a writable mapping (bidirectional) where its VMA allowed writing.
    if (n !== undefined) return { dir: t.vma?.writable === false ? 'to-device' : 'bidirectional', mm: n.mm, start: n.start, end: n.end, entries: t.entries, streaming: false };
  }
  return null;
};

/** The driver writes `mapping`'s DMA addresses into its device's page table: from now on the device can reach them. */
export const deviceProgram = (s: State, dev: DeviceId, mapping: MappingId): Outcome => {
  const op = 'device_program';
  const h = heldAddresses(s, dev, mapping);
  if (h === null) return illFormed(op, `the driver of device ${dev} holds no addresses of mapping ${mapping}`);
  const [s1, id] = freshId(s);
  const r: DeviceRange = { id, device: dev, mapping, mm: h.mm, start: h.start, end: h.end, dir: h.dir, entries: h.entries, streaming: h.streaming };
  return done({ ...s1, deviceRanges: put(s1.deviceRanges, id, r) }, [{ kind: 'device-programmed', device: dev, range: id, mapping }]);
};

/** The driver stops its device's DMA to [start, start+npages) of `mm` and waits for what is in flight: those device PTEs are gone. */
export const deviceStopDma = (s: State, dev: DeviceId, mm: MmId, start: number, npages: number): Outcome => {
  if (s.devices[dev] === undefined) return illFormed('device_stop_dma', `no device ${dev}`);
  let ranges = s.deviceRanges;
  const events: Event[] = [];
  for (const r of s.deviceRanges.values()) {
    if (r.device !== dev || r.mm !== mm || !overlaps(r.start, r.end, start, start + npages)) continue;
    ranges = drop(ranges, r.id);
    events.push({ kind: 'device-stopped', device: dev, range: r.id });
  }
  return done({ ...s, deviceRanges: ranges }, events);
};

/**
 * The driver write-protects its device's page table for [start,
 * start+npages) of `mm` (an importer keeping read-only access after
 * MMU_NOTIFY_PROTECTION_VMA): the device can still read there, not write.
 */
export const deviceWriteProtect = (s: State, dev: DeviceId, mm: MmId, start: number, npages: number): Outcome => {
  if (s.devices[dev] === undefined) return illFormed('device_write_protect', `no device ${dev}`);
  let ranges = s.deviceRanges;
  const events: Event[] = [];
  for (const r of s.deviceRanges.values()) {
    if (r.device !== dev || r.mm !== mm || r.dir === 'to-device' || !overlaps(r.start, r.end, start, start + npages)) continue;
    ranges = put(ranges, r.id, { ...r, dir: 'to-device' });
    events.push({ kind: 'device-write-protected', device: dev, range: r.id });
  }
  return done({ ...s, deviceRanges: ranges }, events);
};

/**
 * The device needs the range of `notifier` mapped (a device page fault, a
 * memory registration): its driver starts its map path as a thread.
 * `write`: the device's fault was a write.
 */
export const driverMapRange = (s: State, dev: DeviceId, notifier: NotifierId, write = false): Outcome => {
  const op = 'driver_map_range';
  const recipe = s.devices[dev]?.driver?.mapPath;
  if (recipe === undefined) return illFormed(op, `device ${dev} has no driver map path`);
  const n = s.notifiers.get(notifier);
  if (n === undefined || n.owner !== dev) return illFormed(op, `notifier ${notifier} is not one of device ${dev}'s`);
  const [s1, id] = freshId(s);
  // The driver's own interval (struct mmu_interval_notifier embedded in its object): the range it maps.
  const range = { mm: n.mm, start: n.start, end: n.end };
  const t: DriverThread = { id, device: dev, recipe, pc: 0, notifier, inv: null, curSeq: 0, range, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write, pfns: null, stale: null };
  return done({ ...s1, threads: put(s1.threads, id, t) }, [{ kind: 'thread-started', thread: id, recipe }]);
};

/** A driver code path returns (to its caller or its device) with `err`; the thread that ran it ends. No kernel state changes. */
export const driverReturn = (s: State, dev: DeviceId): Outcome =>
  s.devices[dev] === undefined ? illFormed('driver_return', `no device ${dev}`) : done(s);

/**
 * The device reaches a programmed range: the access lands on whatever
 * frame now sits at the address. A streaming mapping the driver has
 * already unmapped (it did not quiesce the device first) still reaches
 * the frame with a direct mapping; behind an IOMMU (strict invalidation)
 * the IOVA no longer translates, and the IOMMU blocks the access and
 * reports a fault.
 */
export const deviceRangeAccess = (s: State, mapping: MappingId, index: number, write: boolean): Outcome | null => {
  const r = [...s.deviceRanges.values()].find((x) => x.mapping === mapping);
  if (r === undefined) return null;
  const op = write ? 'device_write' : 'device_read';
  const e = r.entries[index];
  if (e === undefined) return illFormed(op, `index ${index} is outside mapping ${mapping} (${r.entries.length} entries)`);
  // The device's own page table maps a DMA_TO_DEVICE range read-only: a write there faults on the device and lands nowhere.
  if (write && r.dir === 'to-device') return illFormed(op, `device ${r.device}'s page table maps mapping ${mapping} read-only: the write faults on the device`);
  if (r.streaming && !s.mappings.has(mapping) && s.devices[r.device]?.iommuMergesSg === true)
    return done(s, [{ kind: 'iommu-fault', device: r.device, mapping, dma: e.dma, write }]);
  const f = s.frames[e.pfn]!;
  const state = write && f.structPage && !f.free && !f.dirty ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: 'device-access', device: r.device, mapping, pfn: e.pfn, gen: e.gen, reached: e.reaches, write }]);
};

/**
 * The driver adds the p2p_map mapping its thread `by` holds to its own
 * records (a list_add under whatever lock the recipe holds): from now on
 * its callbacks find it there. Only the thread that got the mapping from
 * p2p_map can record it.
 */
export const driverRecord = (s: State, dev: DeviceId, mapping: MappingId, by: ThreadId | undefined): Outcome => {
  const op = 'driver_record';
  const t = by === undefined ? undefined : s.threads.get(by);
  if (t === undefined || t.device !== dev || t.mapping !== mapping || t.vma === null || t.notifier === null || t.range === null)
    return illFormed(op, `only the driver thread of device ${dev} that got mapping ${mapping} from p2p_map records it`);
  if (s.records.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver has already recorded mapping ${mapping}`);
  const rec: DriverRecord = { device: dev, notifier: t.notifier, mapping, vma: t.vma.vma, mm: t.range.mm, start: t.vma.start, end: t.vma.end };
  return done({ ...s, records: [...s.records, rec] }, [{ kind: 'driver-recorded', device: dev, mapping }]);
};

/** The driver drops `mapping` from its own records (list_del). A mapping it never recorded is ill-formed. */
export const driverForget = (s: State, dev: DeviceId, mapping: MappingId): Outcome => {
  if (!s.records.some((r) => r.device === dev && r.mapping === mapping))
    return illFormed('driver_forget', `device ${dev}'s driver has no record of mapping ${mapping}`);
  return done({ ...s, records: s.records.filter((r) => !(r.device === dev && r.mapping === mapping)) }, [{ kind: 'driver-forgot', device: dev, mapping }]);
};
