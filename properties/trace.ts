/** A trace: the kernel calls a run made, in order, with what each did. */
import type { Event } from '../model/event.ts';
import type { Op } from '../model/op.ts';

export interface TraceStep {
  readonly op: Op;
  readonly events: ReadonlyArray<Event>;
}

/** The JSON form shared by `check --json` and saved counterexamples: `{ op, args }`. */
export interface JsonStep {
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export const toJsonStep = (op: Op): JsonStep => {
  const { kind, ...args } = op;
  return { op: kind, args };
};

const formatValue = (v: unknown): string => {
  // Stryker disable next-line ConditionalExpression: no Op argument is ever null (the codecs of model/op.ts have no null), so typeof object already means a non-null object
  if (v !== null && typeof v === 'object') {
    const { kind, ...rest } = v as { kind?: string };
    const inner = Object.entries(rest).map(([k, x]) => `${k}=${formatValue(x)}`).join(', ');
    return kind === undefined ? `{${inner}}` : inner === '' ? kind : `${kind}(${inner})`;
  }
  return String(v);
};

/** `munmap(vma=3)`: a kernel call as a reviewer reads it. */
export const formatOp = (op: Op): string => {
  const { kind, ...args } = op;
  return `${kind}(${Object.entries(args).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')})`;
};

/** The effects worth a note beside a step: `vma 3 destroyed`, `page 4 freed`. */
export const describeEvents = (events: ReadonlyArray<Event>): ReadonlyArray<string> =>
  events.flatMap((e): string[] => {
    switch (e.kind) {
      case 'vma-destroyed':
        return [`vma ${e.vma} destroyed`];
      case 'page-freed':
        return [`page ${e.pfn} freed`];
      case 'swapped-out':
        return [`page ${e.pfn} swapped out to slot ${e.slot}${e.kept ? ', kept in the swap cache by its other references' : ''}`];
      case 'swapped-in':
        return [`slot ${e.slot} swapped in as page ${e.pfn}${e.read ? ' (read from the swap device)' : ' (from the swap cache)'}`];
      case 'bad-page-state':
        return [`Bad page state: page ${e.pfn}'s last reference went while still mapped or cached; the page leaks`];
      case 'p2pmem-found':
        return [`provider device ${e.provider} found`];
      case 'pin-lost':
        return [`page ${e.pfn} keeps the pin of pages ${e.pages}, which nobody holds now`];
      case 'mapping-torn-down':
        return [`mapping ${e.mapping} torn down`];
      case 'buffers-released':
        return [`buffers of page ${e.pfn} released`];
      case 'invalidate-range-start':
        return [`invalidate_range_start (${e.event}) as invalidation ${e.inv}`];
      case 'callback-invoked':
        return [`notifier ${e.notifier}'s invalidate runs as thread ${e.thread}`];
      case 'callback-returned':
        return [`notifier ${e.notifier}'s invalidate returned ${e.ret}`];
      case 'invalidate-range-end':
        return [`invalidation ${e.inv} ended`];
      case 'read-begin':
        return [`seq ${e.seq}`];
      case 'read-retry':
        return [e.retry ? 'retry: true' : 'retry: false'];
      case 'device-programmed':
        return [e.mapping === null ? `device ${e.device}'s page table maps range ${e.range}` : `device ${e.device} programmed with mapping ${e.mapping}`];
      case 'device-stopped':
        return [`device ${e.device} stopped (range ${e.range})`];
      case 'device-write-protected':
        return [`device ${e.device} may only read range ${e.range}`];
      case 'thread-started':
        return [`${e.recipe} runs as thread ${e.thread}`];
      case 'call-failed':
        return [`${e.op} failed: ${e.reason}`];
      case 'provider-removed':
        return [`provider device ${e.device} removed`];
      case 'device-access':
        return [e.reached === e.pfn ? `device ${e.device} ${e.write ? 'wrote' : 'read'} pfn ${e.pfn}${e.va === undefined ? '' : ` at page ${e.va.addr} of mm ${e.va.mm}`}` : `device ${e.device} ${e.write ? 'wrote' : 'read'} mapping ${e.mapping} for pfn ${e.pfn}, reaching ${e.reached === null ? 'no memory' : `pfn ${e.reached}`}`];
      case 'iommu-fault':
        return [`IOMMU fault: device ${e.device} ${e.write ? 'wrote' : 'read'} DMA address ${e.dma} of unmapped mapping ${e.mapping}`];
      case 'cpu-access':
        return [`CPU ${e.io ? 'io-accessed' : 'accessed'} pfn ${e.pfn}`];
      case 'cpu-access-no-page':
        return [`CPU dereferenced entry ${e.index} of sgl ${e.sgl}, which has no page`];
      case 'driver-unbound':
        return [`driver of device ${e.device} unbound`];
      case 'page-dirtied':
        return [`page ${e.pfn} dirtied`];
      case 'fork-copied':
        return [`mm ${e.child} made; pfn ${e.pfns.join(', ')} shared copy-on-write, the parent's PTE${e.pfns.length === 1 ? '' : 's'} still writable until ptep_set_wrprotect`];
      case 'fork-wrprotected':
        return [`mm ${e.mm}'s PTE${e.pfns.length === 1 ? '' : 's'} of pfn ${e.pfns.join(', ')} read-only; fork returns`];
      case 'mm-users':
        return [`mm ${e.mm} has ${e.users} user${e.users === 1 ? '' : 's'}`];
      case 'vma-found':
        return [`vma ${e.vma.vma} [${e.vma.start}, ${e.vma.end})${e.vma.p2pMap ? '' : ', no p2p_map'}`];
      case 'driver-recorded':
        return [`driver of device ${e.device} records mapping ${e.mapping}`];
      case 'driver-forgot':
        return [`driver of device ${e.device} forgets mapping ${e.mapping}`];
      case 'hmm-faulted':
        return [e.ret === '0' ? `pfns ${e.pfns.map((p) => `${p.pfn}${p.write ? 'w' : 'r'}`).join(',')}` : `returns ${e.ret}`];
      case 'dmabuf-exported':
        return [`dma-buf ${e.dmabuf}`];
      case 'dmabuf-attached':
        return [`attachment ${e.attachment}`];
      case 'dmabuf-mapped':
        return [`attachment ${e.attachment} mapped as mapping ${e.mapping}`];
      case 'move-notify-called':
        return [`attachment ${e.attachment}'s move_notify runs as thread ${e.thread}`];
      case 'move-notify-returned':
        return [`attachment ${e.attachment}'s move_notify returned`];
      case 'job-started':
        return [e.fenced ? `device ${e.device} runs job ${e.job} on mapping ${e.mapping}, its fence published` : `device ${e.device} reaches mapping ${e.mapping} through region ${e.job}`];
      case 'job-ended':
        return [`work ${e.job} ended`];
      case 'sgt-kept':
        return [`driver of device ${e.device} keeps mapping ${e.mapping}`];
      case 'sgt-dropped':
        return [`driver of device ${e.device} drops mapping ${e.mapping}`];
      case 'iova-allocated':
        return [`IOVA state ${e.iova}`];
      case 'iova-linked':
        return [`page ${e.offset} of IOVA ${e.iova} -> pfn ${e.pfn}`];
      case 'iova-synced':
        return [e.npages === 0 ? `nothing of IOVA ${e.iova} to sync (0 pages)` : `pages ${e.offset}..${e.offset + e.npages - 1} of IOVA ${e.iova} synced`];
      case 'iova-unlinked':
        return [e.unmapped === e.requested ? `${e.unmapped} page(s) of IOVA ${e.iova} unlinked` : `only ${e.unmapped} of ${e.requested} page(s) of IOVA ${e.iova} were linked`];
      case 'iova-freed':
        return [e.linked === 0 ? `IOVA ${e.iova} freed` : `IOVA ${e.iova} freed with ${e.linked} page(s) still linked`];
      case 'iova-programmed':
        return [`device ${e.device} reaches ${e.npages} page(s) of IOVA ${e.iova}`];
      case 'iova-fault':
        return [`IOMMU fault: page ${e.offset} of IOVA ${e.iova} is ${e.linked ? 'linked but not synced' : 'not linked'}`];
      case 'fault-injected':
        return [`${e.call} of device ${e.device}'s IOMMU fails from now on`];
      case 'p2p-mapped':
      case 'reference-dropped':
        return [];
    }
  });
