/**
 * The Mermaid report: a sequence diagram of the trace between the actors
 * of a P2P DMA story, with the violating step marked, for pages that
 * render Mermaid.
 */
import type { OpKind } from '../../model/op.ts';
import { makeWorld } from '../../model/world.ts';
import type { Citation } from '../../properties/counterexample/cite.ts';
import type { Counterexample } from '../../properties/counterexample/load.ts';
import { COUNTEREXAMPLE_ELEMENT } from '../../properties/counterexample/html-input.ts';

const actors = {
  P: 'process / mm',
  K: 'kernel mm',
  X: 'exporting driver (BAR)',
  I: 'importing driver',
  D: 'device',
  C: 'CPU',
} as const;
type Actor = keyof typeof actors;

/** Who makes each call, and to whom. */
const arrows: Readonly<Record<OpKind, readonly [Actor, Actor]>> = {
  mmap: ['P', 'K'],
  munmap: ['P', 'K'],
  mprotect: ['P', 'K'],
  madvise: ['P', 'K'],
  mremap: ['P', 'K'],
  exit_mmap: ['P', 'K'],
  fork: ['P', 'K'],
  ptep_set_wrprotect: ['K', 'K'],
  clear_refs: ['P', 'K'],
  write_fault: ['P', 'K'],
  reclaim: ['K', 'K'],
  migrate_page: ['K', 'K'],
  writeback: ['K', 'K'],
  get_user_pages: ['I', 'K'],
  pin_user_pages: ['I', 'K'],
  pin_user_pages_fast: ['I', 'K'],
  put_page: ['I', 'K'],
  unpin_user_pages: ['I', 'K'],
  unpin_user_page: ['I', 'K'],
  unpin_user_pages_dirty_lock: ['I', 'K'],
  set_page_dirty_lock: ['I', 'K'],
  vmsplice: ['P', 'K'],
  pipe_read: ['P', 'K'],
  sg_alloc_table: ['I', 'I'],
  sg_alloc_table_from_pages: ['I', 'I'],
  sg_set_page: ['I', 'I'],
  sg_free_table: ['I', 'I'],
  sg_virt: ['C', 'K'],
  kmap_local_page: ['C', 'K'],
  sg_copy_to_buffer: ['C', 'K'],
  memcpy_toio: ['C', 'X'],
  dma_map_sg: ['I', 'K'],
  dma_unmap_sg: ['I', 'K'],
  dma_sync_sg_for_cpu: ['I', 'K'],
  dma_sync_sg_for_device: ['I', 'K'],
  dma_iova_try_alloc: ['I', 'K'],
  dma_iova_link: ['I', 'K'],
  dma_iova_sync: ['I', 'K'],
  dma_iova_unlink: ['I', 'K'],
  dma_iova_destroy: ['I', 'K'],
  dma_iova_free: ['I', 'K'],
  nvme_queue_rq: ['I', 'I'],
  device_program_iova: ['I', 'D'],
  iommu_fault_inject: ['K', 'K'],
  device_write: ['D', 'K'],
  device_read: ['D', 'K'],
  device_svm_access: ['D', 'K'],
  hmm_range_fault: ['I', 'K'],
  device_program_pfns: ['I', 'D'],
  pci_p2pmem_find: ['I', 'X'],
  pci_alloc_p2pmem: ['I', 'X'],
  pci_free_p2pmem: ['I', 'X'],
  pci_p2pdma_map_sg: ['I', 'X'],
  pci_p2pdma_unmap_sg: ['I', 'X'],
  pci_stop_and_remove_bus_device: ['X', 'X'],
  memunmap_pages: ['X', 'X'],
  mmu_interval_notifier_insert: ['I', 'K'],
  mmu_interval_notifier_remove: ['I', 'K'],
  p2p_map: ['I', 'X'],
  p2p_unmap: ['I', 'X'],
  sgl_dma_map_user: ['I', 'K'],
  sgl_dma_unmap: ['I', 'K'],
  mmu_interval_read_begin: ['I', 'K'],
  mmu_interval_read_retry: ['I', 'K'],
  mmu_interval_set_seq: ['I', 'K'],
  invalidate_callback_return: ['I', 'K'],
  mmu_notifier_invalidate_range_end: ['K', 'K'],
  driver_map_range: ['D', 'I'],
  driver_lock: ['I', 'I'],
  driver_unlock: ['I', 'I'],
  device_program: ['I', 'D'],
  device_stop_dma: ['I', 'D'],
  device_write_protect: ['I', 'D'],
  driver_return: ['I', 'I'],
  driver_record: ['I', 'I'],
  driver_forget: ['I', 'I'],
  mmget_not_zero: ['I', 'K'],
  mmput: ['I', 'K'],
  mmap_read_lock: ['I', 'K'],
  mmap_read_unlock: ['I', 'K'],
  find_vma: ['I', 'K'],
  dma_map_page: ['I', 'K'],
  dma_unmap_page: ['I', 'K'],
  dma_map_single: ['I', 'K'],
  dma_unmap_single: ['I', 'K'],
  dma_mapping_error: ['I', 'K'],
  device_release_driver: ['K', 'I'],
  store: ['P', 'K'],
  load: ['P', 'K'],
  dma_buf_export: ['X', 'K'],
  dma_buf_dynamic_attach: ['I', 'X'],
  dma_buf_pin: ['I', 'X'],
  dma_buf_unpin: ['I', 'X'],
  dma_resv_lock: ['I', 'K'],
  dma_resv_unlock: ['I', 'K'],
  dma_buf_map_attachment: ['I', 'X'],
  dma_buf_unmap_attachment: ['I', 'X'],
  dma_buf_move_notify: ['X', 'I'],
  move_notify_return: ['I', 'X'],
  vfio_pci_dma_buf_revoke: ['X', 'X'],
  dma_resv_add_fence: ['I', 'D'],
  dma_fence_signal: ['D', 'I'],
  dma_resv_wait_timeout: ['X', 'K'],
  mlx5r_umr_update_mr_pas: ['I', 'D'],
  driver_map_attachment: ['D', 'I'],
  driver_revoke: ['X', 'X'],
  driver_keep_sgt: ['I', 'I'],
  driver_drop_sgt: ['I', 'I'],
};

const text = (s: string): string => s.replace(/[;#]/g, ',').replace(/"/g, "'");

export const mermaidReport = (cx: Counterexample, c: Citation): string => {
  const frames = makeWorld(cx.design.world).frames;
  // One participant per driver thread (a map path, a callback), after the importing driver: its lane.
  const lanes = new Map(c.threads.map((t) => [t.id, `T${t.id}`]));
  const lines = [
    'sequenceDiagram',
    ...Object.entries(actors).flatMap(([k, v]) => [
      `  participant ${k} as ${v}`,
      ...(k === 'I' ? c.threads.map((t) => `  participant T${t.id} as thread ${t.id}: ${text(t.recipe)}`) : []),
    ]),
  ];
  /** Device and CPU accesses go to whoever owns the memory they reach: the exporter for a BAR frame. */
  const target = (to: Actor, effects: ReadonlyArray<string>): Actor => {
    const pfn = /pfn ([0-9]+)/.exec(effects.join(' '))?.[1];
    return pfn !== undefined && (frames[Number(pfn)]?.bar ?? null) !== null ? 'X' : to;
  };
  cx.ops.forEach((op, i) => {
    const step = c.steps[i]!;
    const [own, plain] = arrows[op.kind];
    const lane = op.by === undefined ? undefined : lanes.get(op.by);
    const from = (lane ?? own) as Actor;
    const mapsDevice = op.kind === 'mmap' && (op.backing.kind === 'bar' || op.backing.kind === 'p2pmem');
    const to = from === 'D' || from === 'C' ? target(plain, step.effects) : mapsDevice ? 'X' : plain;
    const violating = step.n === c.violatesAt;
    if (violating) lines.push('  rect rgb(255, 220, 220)');
    lines.push(`  ${from}->>${to}: ${step.n}. ${text(step.call)}`);
    if (step.effects.length > 0) lines.push(`  Note over ${to}: ${text(step.effects.join(', '))}`);
    if (violating) {
      lines.push(`  Note over ${from === to ? from : `${from},${to}`}: VIOLATES ${c.invariant}: ${text(c.violation ?? 'no longer reproduces')}`);
      lines.push('  end');
    }
  });
  // The file itself as a Mermaid comment (drawn by nobody), so the diagram replays as the other reports
  // do; a blank between tokens, so that a mail client's re-wrap breaks it only where a blank goes back.
  lines.push(`%% ${COUNTEREXAMPLE_ELEMENT}: ${JSON.stringify(cx.file, null, 1).replace(/\n\s*/g, ' ')}`);
  return `${lines.join('\n')}\n`;
};
