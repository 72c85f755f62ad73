import type { Op } from '../op.ts';
import type { Design, Plan, StepTemplate } from './design.ts';
import { held } from './design.ts';
import * as env from './environment.ts';
import { asLegacyCall, completeIo, IMPORTER } from './gup-io.ts';
import { gupSetPageDirty } from './gup-set-page-dirty.ts';
import { vmasWith } from './queries.ts';

/**
 * An RDMA memory registration before 5.9, with the mitigation ibv_fork_init
 * applied: the buffer is marked MADV_DONTFORK, then get_user_pages with
 * FOLL_WRITE (the registration asks for local write), mapped for the NIC.
 * A later fork leaves the buffer out of the child, so no store of the
 * parent breaks copy-on-write on a page the device holds.
 */
const register: StepTemplate = {
  name: 'register_mr(madvise(MADV_DONTFORK), get_user_pages)',
  role: 'driver',
  weight: 2,
  options: (s) =>
    s.pageArrays.size >= s.bounds.ios
      ? []
      : vmasWith(s, ['anon']).map((v): Plan => [
          (): Op => ({ kind: 'madvise', mm: v.mm, start: v.start, npages: v.npages, advice: 'dontfork' }),
          (): Op => ({ kind: 'get_user_pages', mm: v.mm, start: v.start, npages: v.npages, write: true }),
          (_s, made) => ({ kind: 'sg_alloc_table_from_pages', pages: made[1]! }),
          (_s, made) => ({ kind: 'dma_map_sg', dev: IMPORTER, sgl: made[2]!, dir: 'bidirectional' }),
        ]),
};

// Not gup-set-page-dirty's complete world: in the same sizes without file pages this design's space
// did not close at 1,500,000 states (depth 38; docs/exploring.md).
const { completeWorld: _legacyWorld, ...legacy } = gupSetPageDirty;

export const gupDontfork: Design = {
  ...legacy,
  id: 'gup-dontfork',
  title: 'Legacy get_user_pages on anonymous memory marked MADV_DONTFORK (the RDMA fork mitigation)',
  summary:
    "What libibverbs' ibv_fork_init did for every memory registration before 5.9 fixed fork for pinned pages: MADV_DONTFORK on the buffer, then get_user_pages(FOLL_WRITE), an SGL mapped bidirectional for the NIC, and at completion unmap, set_page_dirty_lock and put_page. The references are still plain FOLL_GET ones; the advice is what keeps fork from sharing the buffer copy-on-write.",
  source: 'libibverbs ibv_fork_init(3); Documentation/core-api/pin_user_pages.rst; 17839856fd58 ("gup: document and work around COW can break either way issue", 5.8) and 70e806e4e645 (5.9)',
  driver: [register, completeIo('legacy')],
  // Anonymous buffers only: file pages bring the dirtying bug of gup-set-page-dirty, which this mitigation does not touch.
  environment: [env.mmapOf('anon'), env.munmapAny, env.exitAny, env.forkOf(), env.writeFaultAny, env.reclaimAny, env.migrateAny, env.deviceAccessAny(true), env.deviceAccessAny(false)],
  translate: asLegacyCall,
  expected: {
    ...gupSetPageDirty.expected,
    isolation: held('MADV_DONTFORK keeps the buffer out of the child: fork shares no page the device writes.'),
    'correct-dirtying': held('Anonymous buffers only: no page cache, no writeback, and set_page_dirty_lock before put_page marks what the device wrote.'),
    'pin-coherent': held("MADV_DONTFORK keeps the registered buffer out of every child, so fork never shares it copy-on-write and the parent's stores stay on the page the NIC holds (gup-set-page-dirty, without the advice, violates it)."),
  },
};
