/**
 * The long-term pinning table (issue 20): pin_user_pages(FOLL_LONGTERM),
 * with and without FOLL_WRITE, on every kind of memory the model has, on
 * three kernels: what the kernel does (pins the page it finds, gives the
 * pinner an exclusive copy first, or refuses with which errno), and the
 * kernel function that decides each cell. docs/model.md shows the same
 * table. Not in the model: THP, hugetlb, shmem/memfd, and the migration
 * out of ZONE_MOVABLE/CMA that check_and_migrate_movable_pages() does
 * before pinning (every RAM page here is long-term pinnable).
 */
import { present } from '../../model/page.ts';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import { step } from '../../model/step.ts';
import type { Era, State } from '../../model/state.ts';
import { currentEra } from '../../model/world.ts';
import { eraWith, lastId, mmapAnon, mmapBar, mmapFile, mmapP2pmem, pin, run, world } from './helpers.ts';

type Memory = 'anon, written' | 'anon, never written' | 'anon, shared by fork' | 'MAP_PRIVATE file, not written' | 'MAP_SHARED file' | 'VM_IO|VM_PFNMAP BAR' | 'p2pmem (P2PDMA pages)';
type Outcome = 'pins the page it finds' | 'pins the zero page' | 'pins the page cache' | 'unshares: pins an exclusive anon copy' | 'faults for write: pins an exclusive anon page' | `refused: ${string}`;

const ERAS: Readonly<Record<string, Era>> = {
  '5.9': eraWith({ pinUnsharesReadOnly: false, longtermUnsharesCow: false, longtermFileGate: false, pinSkipsZeroPage: false, p2pGupGate: false, dmaMapSgP2pdma: false, reclaimKeepsPinnedPrivate: false }),
  '6.1': eraWith({ longtermUnsharesCow: false, longtermFileGate: false, pinSkipsZeroPage: false, reclaimKeepsPinnedPrivate: false, p2pGupGate: false }),
  today: currentEra,
};

/** The state before the pin, and the op that pins page 0 of mm 0 (of the child after a fork). */
const setup = (m: Memory, era: Era, write: boolean): { readonly s: State; readonly op: Op } => {
  const longterm = { longterm: true };
  switch (m) {
    case 'anon, written':
      return { s: run(world(era), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }).state, op: pin(0, 1, write, longterm) };
    case 'anon, never written':
      return { s: run(world(era), mmapAnon(1)).state, op: pin(0, 1, write, longterm) };
    case 'anon, shared by fork': {
      const s = run(world(era), mmapAnon(1), { kind: 'store', mm: 0, addr: 0 }, { kind: 'fork', mm: 0 }).state;
      return { s, op: pin(0, 1, write, longterm) };
    }
    case 'MAP_PRIVATE file, not written':
      return { s: run(world(era), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'file-private', inode: 0 } }, { kind: 'load', mm: 0, addr: 0 }).state, op: pin(0, 1, write, longterm) };
    case 'MAP_SHARED file':
      return { s: run(world(era), mmapFile(1), { kind: 'load', mm: 0, addr: 0 }).state, op: pin(0, 1, write, longterm) };
    case 'VM_IO|VM_PFNMAP BAR':
      return { s: run(world(era), mmapBar(1)).state, op: pin(0, 1, write, longterm) };
    case 'p2pmem (P2PDMA pages)':
      return { s: run(world(era), mmapP2pmem(1)).state, op: pin(0, 1, write, longterm) };
  }
};

/** What pin_user_pages did, in the table's words. */
const outcome = (m: Memory, era: Era, write: boolean): Outcome => {
  const { s, op } = setup(m, era, write);
  const before = present(s.vmas.get(lastId(new Map([...s.vmas].filter(([, v]) => v.mm === 0))))!.ptes[0]);
  const r = step(s, op);
  if (r._tag === 'Left') return `refused: ${r.left.reason.split(':')[0]}`;
  const after = r.right.state;
  const a = after.pageArrays.get(lastId(after.pageArrays))!;
  const f = after.frames[a.pfns[0]!]!;
  if (f.mapping.kind === 'zero') return 'pins the zero page';
  if (f.mapping.kind === 'file') return 'pins the page cache';
  if (before !== null && a.pfns[0] === before.pfn) return 'pins the page it finds';
  return write ? 'faults for write: pins an exclusive anon page' : 'unshares: pins an exclusive anon copy';
};

interface Cell {
  readonly memory: Memory;
  readonly write: boolean;
  readonly outcomes: Readonly<Record<keyof typeof ERAS, Outcome>>;
  /** The kernel function that decides the cell. */
  readonly decides: string;
}

const same = (o: Outcome): Cell['outcomes'] => ({ '5.9': o, '6.1': o, today: o });

const TABLE: ReadonlyArray<Cell> = [
  { memory: 'anon, written', write: false, outcomes: same('pins the page it finds'), decides: 'gup_must_unshare(): an exclusive anon page needs no unsharing' },
  { memory: 'anon, written', write: true, outcomes: same('pins the page it finds'), decides: 'follow_page_pte(): the PTE is writable' },
  {
    memory: 'anon, never written',
    write: false,
    outcomes: { '5.9': 'pins the zero page', '6.1': 'pins the zero page', today: 'unshares: pins an exclusive anon copy' },
    decides: 'gup_must_unshare() for a non-anon page in a COW mapping under FOLL_LONGTERM (84209e87c696, 6.2)',
  },
  { memory: 'anon, never written', write: true, outcomes: same('faults for write: pins an exclusive anon page'), decides: 'faultin_page() with FAULT_FLAG_WRITE (do_anonymous_page)' },
  {
    memory: 'anon, shared by fork',
    write: false,
    outcomes: { '5.9': 'pins the page it finds', '6.1': 'unshares: pins an exclusive anon copy', today: 'unshares: pins an exclusive anon copy' },
    decides: 'gup_must_unshare() / FAULT_FLAG_UNSHARE for a maybe-shared anon page (5.19)',
  },
  { memory: 'anon, shared by fork', write: true, outcomes: same('faults for write: pins an exclusive anon page'), decides: 'faultin_page() with FAULT_FLAG_WRITE: do_wp_page breaks COW' },
  {
    memory: 'MAP_PRIVATE file, not written',
    write: false,
    outcomes: { '5.9': 'pins the page cache', '6.1': 'pins the page cache', today: 'unshares: pins an exclusive anon copy' },
    decides: 'gup_must_unshare() for a non-anon page in a COW mapping under FOLL_LONGTERM (84209e87c696, 6.2)',
  },
  { memory: 'MAP_PRIVATE file, not written', write: true, outcomes: same('faults for write: pins an exclusive anon page'), decides: 'faultin_page() with FAULT_FLAG_WRITE: do_cow_fault' },
  { memory: 'MAP_SHARED file', write: false, outcomes: same('pins the page cache'), decides: 'check_vma_flags(): no dirty tracking needed without FOLL_WRITE' },
  {
    memory: 'MAP_SHARED file',
    write: true,
    outcomes: { '5.9': 'pins the page cache', '6.1': 'pins the page cache', today: 'refused: -EFAULT' },
    decides: 'check_vma_flags(): FOLL_LONGTERM|FOLL_WRITE on a mapping that needs dirty tracking (vma_needs_dirty_tracking, 6.5)',
  },
  { memory: 'VM_IO|VM_PFNMAP BAR', write: false, outcomes: same('refused: -EFAULT'), decides: 'check_vma_flags(): VM_IO|VM_PFNMAP' },
  { memory: 'VM_IO|VM_PFNMAP BAR', write: true, outcomes: same('refused: -EFAULT'), decides: 'check_vma_flags(): VM_IO|VM_PFNMAP' },
  {
    memory: 'p2pmem (P2PDMA pages)',
    write: false,
    outcomes: { '5.9': 'pins the page it finds', '6.1': 'pins the page it finds', today: 'refused: -EREMOTEIO' },
    decides: 'try_grab_folio(): a P2PDMA page without FOLL_PCI_P2PDMA (6.2)',
  },
  {
    memory: 'p2pmem (P2PDMA pages)',
    write: true,
    outcomes: { '5.9': 'pins the page it finds', '6.1': 'pins the page it finds', today: 'refused: -EREMOTEIO' },
    decides: 'try_grab_folio(): a P2PDMA page without FOLL_PCI_P2PDMA (6.2)',
  },
];

describe('the long-term pinning table', () => {
  it('has a row for each kind of memory, read-only and for write', () => {
    const memories = new Set(TABLE.map((c) => c.memory));
    expect(memories.size).toBe(7);
    for (const m of memories) expect(TABLE.filter((c) => c.memory === m).map((c) => c.write).sort()).toEqual([false, true]);
  });
  for (const c of TABLE)
    for (const era of Object.keys(ERAS))
      it(`${c.memory}, ${c.write ? 'FOLL_WRITE' : 'read-only'}, ${era}: ${c.outcomes[era]} (${c.decides})`, () => {
        expect(outcome(c.memory, ERAS[era]!, c.write)).toBe(c.outcomes[era]);
      });
});
