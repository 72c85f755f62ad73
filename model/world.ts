/**
 * Building the initial state of a design: how much RAM, which PCI devices
 * and BARs, one file, and the kernel era. Everything starts free and one
 * process (mm 0) is alive.
 */
import type { Bar, Device, DriverSpec, Era, Frame, Inode, PciTopology, State, WorldBounds } from './state.ts';

export interface BarSpec {
  readonly device: number;
  readonly npages: number;
  readonly structPages: boolean;
}

export interface WorldSpec {
  readonly ramPages: number;
  readonly devices: ReadonlyArray<{ readonly name: string; readonly p2pPeers: ReadonlyArray<number>; readonly driver?: DriverSpec; readonly iommuMergesSg?: boolean; readonly swiotlbForce?: boolean; readonly virtDma?: boolean }>;
  readonly bars: ReadonlyArray<BarSpec>;
  /** Pages of the one regular file (inode 0). */
  readonly filePages: number;
  /** Slots of the swap device (default: as many as RAM pages; 0: no swap, anonymous pages are never reclaimed). */
  readonly swapSlots?: number;
  readonly era: Era;
  /** How many objects the templates may make; `defaultBounds` when absent. */
  readonly bounds?: WorldBounds;
  /** Where the devices sit on PCI; absent: `p2pPeers` decide. */
  readonly pci?: PciTopology;
  /** fork's copy_page_range in two steps, a GUP-fast able to run between them (`State.forkSteps`); absent: one step. */
  readonly forkSteps?: boolean;
}

/** The bounds every design's world has unless it says otherwise. */
export const defaultBounds: WorldBounds = { vmas: 3, mms: 3, notifiers: 2, ios: 2, mappings: 2 };

/**
 * Linux 5.9 and 5.10: early COW of pinned pages at fork (5.9), and none of
 * the later switches (write_protect_seq in GUP-fast came in 5.11). The
 * designs that show that era's holes run on it.
 */
export const era59: Era = {
  forkEarlyCow: true,
  p2pGupGate: false,
  longtermFileGate: false,
  cowReuseOnlyUnreferenced: true,
  pinUnsharesReadOnly: false,
  dmaMapSgP2pdma: false,
  reclaimKeepsPinnedPrivate: false,
  reclaimSkipsPinnedAnon: false,
  unmapKeepsPinnedAnon: false,
  clearRefsSkipsPinned: false,
  longtermUnsharesCow: false,
  pinSkipsZeroPage: false,
  gupBreaksCow: false,
  vfioDmabufRefusesPin: false,
  gupFastChecksWriteProtectSeq: false,
  p2pmemMmapErrorPutsRef: false,
  physVecErrorFreesIova: false,
  physVecLinksAtOffset: false,
};

/** Today's kernel: every fix named in `Era` is in. */
export const currentEra: Era = {
  forkEarlyCow: true,
  p2pGupGate: true,
  longtermFileGate: true,
  cowReuseOnlyUnreferenced: true,
  pinUnsharesReadOnly: true,
  dmaMapSgP2pdma: true,
  reclaimKeepsPinnedPrivate: true,
  reclaimSkipsPinnedAnon: true,
  unmapKeepsPinnedAnon: true,
  clearRefsSkipsPinned: true,
  longtermUnsharesCow: true,
  pinSkipsZeroPage: true,
  gupBreaksCow: false,
  vfioDmabufRefusesPin: true,
  gupFastChecksWriteProtectSeq: true,
  p2pmemMmapErrorPutsRef: true,
  // Not fixed upstream: today's kernel leaks (see Era.physVecErrorFreesIova) and links every range at offset 0.
  physVecErrorFreesIova: false,
  physVecLinksAtOffset: false,
};

const freeFrame = (pfn: number, bar: number | null, structPage: boolean): Frame => ({
  pfn,
  bar,
  structPage,
  free: true,
  gen: 0,
  refcount: 0,
  pincount: 0,
  lostPins: 0,
  unheldRefs: 0,
  unheldPins: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping: { kind: 'none' },
  deviceWroteSinceDirtied: false,
});

export const makeWorld = (w: WorldSpec): State => {
  const frames: Frame[] = Array.from({ length: w.ramPages }, (_, pfn) => freeFrame(pfn, null, true));
  const bars: Bar[] = w.bars.map((b, id) => {
    const basePfn = frames.length;
    for (let i = 0; i < b.npages; i++) frames.push(freeFrame(basePfn + i, id, b.structPages));
    return { id, device: b.device, basePfn, npages: b.npages, structPages: b.structPages, alive: true, removing: false, pgmapRefs: 0 };
  });
  const devices: Device[] = w.devices.map((d, id) => ({
    id,
    name: d.name,
    p2pPeers: d.p2pPeers,
    driver: d.driver ?? null,
    iommuMergesSg: d.iommuMergesSg ?? false,
    swiotlbForce: d.swiotlbForce ?? false,
    virtDma: d.virtDma ?? false,
    bound: true,
    iommuFaults: [],
  }));
  // ZERO_PAGE(0): after RAM and the BARs, so that adding it renumbered nothing.
  frames.push({ ...freeFrame(frames.length, null, true), free: false, refcount: 1, mapping: { kind: 'zero' } });
  const inodes: Inode[] = [{ id: 0, npages: w.filePages, cache: Array.from({ length: w.filePages }, () => null) }];
  return {
    era: w.era,
    bounds: w.bounds ?? defaultBounds,
    topology: w.pci ?? null,
    forkSteps: w.forkSteps ?? false,
    nextId: 1,
    frames,
    bars,
    devices,
    inodes,
    mms: new Map([[0, { id: 0, alive: true, hasPinned: false, invalidateSeq: 2, users: 1, mmapReaders: 0 }]]),
    vmas: new Map(),
    pageArrays: new Map(),
    sgls: new Map(),
    mappings: new Map(),
    notifiers: new Map(),
    invalidations: new Map(),
    threads: new Map(),
    deviceRanges: new Map(),
    records: [],
    driverLocks: [],
    dmaBufs: new Map(),
    attachments: new Map(),
    sgtRecords: [],
    jobs: new Map(),
    iovas: new Map(),
    swap: Array.from({ length: w.swapSlots ?? w.ramPages }, () => null),
  };
};
