/**
 * Why a violation happened: the earlier steps that made it possible,
 * found by running the trace and reading what the model did (its events
 * and its states), never from the report's text. For notifier-protocol,
 * the read section the map path began and the invalidation that overtook
 * it, or the invalidation and the programming its callbacks left behind;
 * for a device access through a mirror (mirror-coherent,
 * no-dma-after-free), the programming of the entry and the change of the
 * CPU page table or the free that made it stale; for a device access
 * through a DMA mapping (no-dma-after-free), the mapping, its programming,
 * its teardown and the free and new allocation of the frame; for
 * provider-removal, the removal's start and the mappings of the BAR; for
 * dma-api-hygiene, the map call of the mapping judged and its unmap; for
 * map-within-vma-lifetime, the step that gave out the mapping. The page
 * invariants (no-cpu-iomem, correct-dirtying, pin-coherent, gup-release,
 * isolation) are in causes-pages.ts.
 */
import type { Design } from '../../model/designs/design.ts';
import type { InvariantId } from '../invariant.ts';
import { correctDirtying, gupRelease, isolationCauses, noCpuIomem, pinCoherent } from './causes-pages.ts';
import { lastBefore, madeAt, pteAt, runSteps, type Cause, type Ran } from './causes-steps.ts';
import type { Op } from '../../model/op.ts';

export type { Cause } from './causes-steps.ts';

const notifierProtocol = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  const op = bad.op;
  if ((op.kind === 'device_program' || op.kind === 'device_program_pfns') && op.by !== undefined) {
    const tid = op.by;
    const notifier = bad.before.threads.get(tid)?.notifier;
    const begin = lastBefore(steps, k, (r) => r.op.kind === 'mmu_interval_read_begin' && r.op.by === tid);
    if (begin < 0 || notifier === undefined) return [];
    const overtaken = steps.findIndex((r, i) => i > begin && i < k && r.op.kind === 'mmu_interval_set_seq' && r.op.notifier === notifier);
    return [
      { step: begin + 1, why: `thread ${tid}'s read section of notifier ${notifier} begins` },
      ...(overtaken < 0 ? [] : [{ step: overtaken + 1, why: `an invalidation sets notifier ${notifier}'s seq: the read section is overtaken` }]),
    ];
  }
  const returned = bad.events.find((e) => e.kind === 'callback-returned');
  if (returned?.kind !== 'callback-returned') return [];
  const start = lastBefore(steps, k, (r) => r.events.some((e) => e.kind === 'invalidate-range-start' && e.inv === returned.inv));
  const programmed = lastBefore(steps, k, (r) => r.events.some((e) => e.kind === 'device-programmed'));
  return [
    ...(programmed < 0 ? [] : [{ step: programmed + 1, why: 'the device is given the addresses it still reaches' }]),
    ...(start < 0 ? [] : [{ step: start + 1, why: `invalidation ${returned.inv} starts` }]),
  ].sort((a, b) => a.step - b.step);
};

const mirrorAccess = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const e = steps[k]!.events.find((x) => x.kind === 'device-access' && x.va !== undefined);
  if (e?.kind !== 'device-access' || e.va === undefined) return [];
  const { mm, addr } = e.va;
  const programmed = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'device-programmed' && x.mapping === null && x.device === e.device) && [...r.after.deviceRanges.values()].some((d) => d.device === e.device && d.mapping === null && d.mm === mm && d.start <= addr && addr < d.end));
  // The pfns the entry was programmed from: hmm_range_fault's answer, which may already be stale.
  const fault = programmed < 0 ? -1 : lastBefore(steps, programmed, (r) => r.events.some((x) => x.kind === 'hmm-faulted' && x.ret === '0' && x.pfns.some((p) => p.pfn === e.pfn)));
  const since = fault >= 0 ? fault : programmed;
  const changed = lastBefore(steps, k, (r) => pteAt(r.before, mm, addr) !== pteAt(r.after, mm, addr));
  const freed = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'page-freed' && x.pfn === e.pfn));
  const causes: Cause[] = [];
  if (fault >= 0) causes.push({ step: fault + 1, why: `hmm_range_fault returns pfn ${e.pfn}` });
  if (programmed >= 0) causes.push({ step: programmed + 1, why: `device ${e.device}'s page table gets pfn ${e.pfn} for page ${addr} of mm ${mm}` });
  if (changed > since) causes.push({ step: changed + 1, why: `the CPU page table at page ${addr} of mm ${mm} changes (${pteAt(steps[changed]!.before, mm, addr)} -> ${pteAt(steps[changed]!.after, mm, addr)})` });
  if (freed > since && freed !== changed) causes.push({ step: freed + 1, why: `pfn ${e.pfn} is freed` });
  return causes.sort((a, b) => a.step - b.step);
};


const mapWithinVmaLifetime = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const destroyed = steps[k]!.events.filter((e) => e.kind === 'vma-destroyed').map((e) => (e.kind === 'vma-destroyed' ? e.vma : -1));
  const live = [...steps[k]!.before.mappings.values()].filter((m) => m.origin.kind === 'vma-op' && destroyed.includes(m.origin.vma));
  return live.flatMap((m) => {
    const made = madeAt(steps, k, m.id);
    return made < 0 ? [] : [{ step: made + 1, why: `mapping ${m.id} is made from vma ${m.origin.kind === 'vma-op' ? m.origin.vma : '?'}` }];
  });
};

/**
 * A device access through a DMA mapping (no-dma-after-free): the step that
 * made the mapping, the one that programmed the device with it, the one
 * that tore it down, and the free or the new allocation of the frame after.
 */
const mappingAccess = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const e = steps[k]!.events.find((x) => x.kind === 'device-access' && x.mapping !== null);
  if (e?.kind !== 'device-access' || e.mapping === null) return [];
  const m = e.mapping;
  const made = madeAt(steps, k, m);
  const programmed = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'device-programmed' && x.mapping === m));
  const torn = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'mapping-torn-down' && x.mapping === m));
  // From the states, whatever freed it (the buddy allocator, an exporter's BAR allocator, a removal).
  const freed = lastBefore(steps, k, (r) => r.before.frames[e.pfn]?.free === false && r.after.frames[e.pfn]?.free === true);
  const reallocated = lastBefore(steps, k, (r) => r.before.frames[e.pfn]?.gen !== r.after.frames[e.pfn]?.gen && r.after.frames[e.pfn]?.free === false);
  const worked = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'job-started' && x.mapping === m));
  const bar = steps[k]!.before.frames[e.pfn]?.bar ?? null;
  const removed = bar === null ? -1 : lastBefore(steps, k, (r) => r.before.bars[bar]?.alive === true && r.after.bars[bar]?.alive === false);
  const causes: Cause[] = [];
  if (made >= 0) causes.push({ step: made + 1, why: `mapping ${m} is made, for pfn ${e.pfn}` });
  if (programmed >= 0 && programmed !== made) causes.push({ step: programmed + 1, why: `device ${e.device} is programmed with mapping ${m}` });
  if (worked >= 0) causes.push({ step: worked + 1, why: `device ${e.device} starts work that uses mapping ${m} (it reaches the addresses until that work ends)` });
  if (removed > made) causes.push({ step: removed + 1, why: `the provider of pfn ${e.pfn}'s BAR is removed` });
  if (torn > made && torn >= 0) causes.push({ step: torn + 1, why: `mapping ${m} is torn down, the device still holding its addresses` });
  if (freed > made) causes.push({ step: freed + 1, why: `pfn ${e.pfn} is freed` });
  // A second release that took a count below its holders, so that a later put frees the page under the mapping's pin.
  const unheld = freed > made ? lastBefore(steps, freed, (r) => (r.after.frames[e.pfn]?.unheldRefs ?? 0) > (r.before.frames[e.pfn]?.unheldRefs ?? 0)) : -1;
  if (unheld > made) causes.push({ step: unheld + 1, why: `a release gives back a reference on pfn ${e.pfn} that its caller no longer held: the count falls below its holders` });
  if (reallocated > freed && freed > made) causes.push({ step: reallocated + 1, why: `pfn ${e.pfn} is allocated again, to someone else` });
  return causes.sort((a, b) => a.step - b.step);
};

/** provider-removal: the step that started the removal, and the steps that made what still holds the provider's BAR. */
const providerRemoval = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const bad = steps[k]!;
  const removed = bad.events.find((x) => x.kind === 'provider-removed');
  const access = bad.events.find((x) => x.kind === 'device-access' || x.kind === 'cpu-access');
  const started = lastBefore(steps, k + 1, (r) => r.op.kind === 'pci_stop_and_remove_bus_device');
  const start = started < 0 ? undefined : steps[started]!.op;
  const causes: Cause[] = start?.kind === 'pci_stop_and_remove_bus_device' ? [{ step: started + 1, why: `the removal of provider device ${start.dev} starts` }] : [];
  if (removed?.kind === 'provider-removed') {
    const bar = new Set(bad.after.bars.filter((b) => b.device === removed.device).map((b) => b.id));
    for (const m of bad.after.mappings.values())
      if (m.entries.some((x) => bar.has(bad.after.frames[x.pfn]?.bar ?? -1))) {
        const made = madeAt(steps, k, m.id);
        if (made >= 0) causes.push({ step: made + 1, why: `mapping ${m.id} (${m.api}) is made with an address of the provider's BAR` });
      }
  } else if (access?.kind === 'device-access' && access.mapping !== null) {
    const made = madeAt(steps, k, access.mapping);
    if (made >= 0) causes.push({ step: made + 1, why: `mapping ${access.mapping} is made with an address of the provider's BAR` });
  }
  return causes.filter((c) => c.step <= k + 1).sort((a, b) => a.step - b.step);
};

/** dma-api-hygiene: the map call whose mapping the judged call names, and for a use after unmap, the unmap. */
const hygiene = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const op = steps[k]!.op as { readonly mapping?: number };
  if (op.mapping === undefined) return [];
  const m = op.mapping;
  const made = madeAt(steps, k, m);
  const torn = lastBefore(steps, k, (r) => r.events.some((x) => x.kind === 'mapping-torn-down' && x.mapping === m));
  return [
    ...(made < 0 ? [] : [{ step: made + 1, why: `mapping ${m} is made (${steps[made]!.op.kind})` }]),
    ...(torn < 0 ? [] : [{ step: torn + 1, why: `mapping ${m} is torn down` }]),
  ];
};

/** dmabuf-protocol: the pin of an attachment move_notify reached, or the lock the call ran without (the last unlock of its dma-buf). */
const dmabufCauses = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const op = steps[k]!.op;
  const pinned = steps[k]!.events.flatMap((e) => (e.kind === 'move-notify-called' ? [e.attachment] : []));
  const pins = pinned.map((a) => lastBefore(steps, k, (r) => r.op.kind === 'dma_buf_pin' && r.op.attachment === a)).filter((i) => i >= 0);
  const unlocked = op.kind === 'dma_buf_move_notify' ? -1 : lastBefore(steps, k, (r) => r.op.kind === 'dma_resv_unlock');
  return [
    ...pins.map((i) => ({ step: i + 1, why: `attachment ${(steps[i]!.op as { attachment: number }).attachment} is pinned (dma_buf_pin)` })),
    ...(unlocked < 0 ? [] : [{ step: unlocked + 1, why: 'the reservation lock is dropped' }]),
  ].sort((a, b) => a.step - b.step);
};

/** iova-state: the fault injected, the IOVA calls that failed, and where the device was handed the range. */
const iovaCauses = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> =>
  steps.slice(0, k).flatMap((r, i): Cause[] => {
    if (r.op.kind === 'iommu_fault_inject') return [{ step: i + 1, why: `${r.op.call} of device ${r.op.dev}'s IOMMU fails from now on` }];
    const failed = r.events.find((e) => e.kind === 'call-failed' && e.op.startsWith('dma_iova_'));
    if (failed?.kind === 'call-failed') return [{ step: i + 1, why: `${failed.op} fails (${failed.reason.split(':')[0]}) and the caller goes on` }];
    const handed = r.events.find((e) => e.kind === 'iova-programmed');
    return handed?.kind === 'iova-programmed' ? [{ step: i + 1, why: `device ${handed.device} is handed ${handed.npages} page(s) of IOVA ${handed.iova}` }] : [];
  });

/** p2p-reachable: the step that put the pages in the table the map call was given (a map call of a page or a VMA names its memory itself). */
const reachCauses = (steps: ReadonlyArray<Ran>, k: number): ReadonlyArray<Cause> => {
  const op = steps[k]!.op;
  if (op.kind !== 'dma_map_sg' && op.kind !== 'pci_p2pdma_map_sg') return [];
  const built = lastBefore(steps, k, (r) => (r.op.kind === 'sg_alloc_table_from_pages' || r.op.kind === 'sg_alloc_table') && r.after.sgls.has(op.sgl) && !r.before.sgls.has(op.sgl));
  return built < 0 ? [] : [{ step: built + 1, why: `table ${op.sgl} is built (${steps[built]!.op.kind})` }];
};

/** The steps that made the violation of `invariant` at step `violatesAt` (1-based) possible, in step order. */
export const causesOf = (design: Design, ops: ReadonlyArray<Op>, invariant: InvariantId, violatesAt: number): ReadonlyArray<Cause> => {
  const steps = runSteps(design, ops);
  const k = violatesAt - 1;
  if (k < 0 || k >= steps.length) return [];
  switch (invariant) {
    case 'notifier-protocol':
      return notifierProtocol(steps, k);
    case 'mirror-coherent':
      return mirrorAccess(steps, k);
    case 'no-dma-after-free': {
      const mirror = mirrorAccess(steps, k);
      return mirror.length > 0 ? mirror : mappingAccess(steps, k);
    }
    case 'provider-removal':
      return providerRemoval(steps, k);
    case 'dma-api-hygiene':
      return hygiene(steps, k);
    case 'map-within-vma-lifetime':
      return mapWithinVmaLifetime(steps, k);
    case 'no-cpu-iomem':
      return noCpuIomem(steps, k);
    case 'correct-dirtying':
      return correctDirtying(steps, k);
    case 'pin-coherent':
      return pinCoherent(steps, k);
    case 'gup-release':
      return gupRelease(steps, k);
    case 'isolation':
      return isolationCauses(steps, k);
    case 'dmabuf-protocol':
      return dmabufCauses(steps, k);
    case 'iova-state':
      return iovaCauses(steps, k);
    case 'p2p-reachable':
      return reachCauses(steps, k);
  }
};
