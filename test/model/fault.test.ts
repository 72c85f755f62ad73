import { describe, expect, it } from 'vitest';
import { currentEra, makeWorld } from '../../model/world.ts';
import { RAW_EXPORTER, eraWith, frame, gup, lastId, mmapAnon, mmapBar, mmapFile, mmapP2pmem, oldEra, pin, pteAt, rejectedWith, run, world, worldSpec, writeFault } from './helpers.ts';

describe('write_fault', () => {
  it('a first store to an anonymous page allocates the lowest free RAM page, writable and dirty', () => {
    const { state: s1 } = run(world(), mmapAnon(2));
    const { state, events } = run(s1, writeFault(1));
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 0, writable: true });
    expect(pteAt(state, 0, 0)).toBeNull();
    expect(frame(state, 0)).toEqual({
      ...s1.frames[0]!,
      free: false,
      gen: 1,
      refcount: 1,
      mapcount: 1,
      dirty: true,
      mapping: { kind: 'anon' },
    });
    expect(events).toEqual([]);
  });

  it('a first store to a file page reads it into the page cache and runs page_mkwrite', () => {
    const { state: s1 } = run(world(), mmapFile(2));
    const { state, events } = run(s1, writeFault(1));
    expect(pteAt(state, 0, 1)).toEqual({ pfn: 0, writable: true });
    expect(state.inodes[0]!.cache).toEqual([null, 0, null, null]);
    expect(frame(state, 0)).toMatchObject({
      free: false,
      refcount: 2,
      mapcount: 1,
      dirty: true,
      fsPrivate: true,
      mapping: { kind: 'file', inode: 0, index: 1 },
    });
    expect(events).toEqual([{ kind: 'page-dirtied', pfn: 0 }]);
  });

  it('write_fault after fork copies the page for the writer and the old page loses one mapping', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    const { state, events } = run(s1, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: false });
    expect(frame(state, 0)).toMatchObject({ free: false, mapcount: 1, refcount: 1 });
    expect(frame(state, 1)).toMatchObject({ free: false, mapcount: 1, refcount: 1, dirty: true, mapping: { kind: 'anon' } });
    expect(events).toEqual([]);
  });

  it('write_fault by the sole remaining mapper reuses its write-protected page', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const child = lastId(s1.mms);
    // the parent copies; the child is then the only mapper of page 0
    const { state: s2 } = run(s1, writeFault(0));
    const { state } = run(s2, writeFault(0, child));
    expect(pteAt(state, child, 0)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 1, refcount: 1 });
    expect(state.frames.filter((f) => !f.free && f.mapping.kind !== 'zero')).toHaveLength(2);
  });

  it('write_fault after the child exited reuses the page without copying', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const { state: s2 } = run(s1, { kind: 'exit_mmap', mm: lastId(s1.mms) });
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
    expect(frame(state, 1).free).toBe(true);
  });

  it('since 5.9 a write fault copies a page that a get_user_pages reference still holds, even with one mapping', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const { state: s2 } = run(s1, { kind: 'exit_mmap', mm: lastId(s1.mms) }, gup(0, 1, false));
    expect(frame(s2, 0)).toMatchObject({ mapcount: 1, refcount: 2 });
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
    expect(frame(state, 0)).toMatchObject({ mapcount: 0, refcount: 1 });
  });

  it('before 5.9 the same write fault reuses the page because it is mapped once', () => {
    const { state: s1 } = run(world(oldEra), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    const { state: s2 } = run(s1, { kind: 'exit_mmap', mm: lastId(s1.mms) }, gup(0, 1, false));
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('write_fault on an address no VMA covers is rejected with SIGSEGV', () => {
    const { state } = run(world(), mmapAnon(1));
    expect(rejectedWith(state, writeFault(3))).toContain('SIGSEGV');
  });

  it('write_fault on a present writable PTE is ill-formed: the CPU takes no fault there', () => {
    const { state } = run(world(), mmapAnon(1), writeFault(0));
    expect(rejectedWith(state, writeFault(0))).toBe('ill-formed: no fault: the PTE at page 0 is present and writable, so a store there does not fault');
  });

  it('write_fault on a BAR VMA is ill-formed while its PTEs are present: stores go straight to device memory', () => {
    const { state } = run(world(), mmapBar(1));
    expect(rejectedWith(state, writeFault(0))).toMatch(/^ill-formed: no fault: /);
  });

  it('write_fault on a p2pmem VMA is ill-formed while its PTEs are present: stores go straight to device memory', () => {
    const { state } = run(world(), mmapP2pmem(1));
    expect(rejectedWith(state, writeFault(0))).toMatch(/^ill-formed: no fault: /);
  });

  it('write_fault on a BAR VMA whose PTEs were zapped (provider removed) is SIGBUS: nothing refills a VM_PFNMAP mapping', () => {
    const { state } = run(world(), mmapBar(1), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER });
    expect(rejectedWith(state, writeFault(0))).toBe('SIGBUS: vma 1 maps device memory whose PTEs were zapped');
  });

  it('write_fault in an mm that does not run (exited or never existed) is ill-formed', () => {
    expect(rejectedWith(world(), writeFault(0, 9))).toBe('ill-formed: mm 9 has exited: it runs no code');
  });

  it('write_fault when RAM is exhausted is rejected with -ENOMEM', () => {
    const s0 = makeWorld({ ...worldSpec(currentEra), ramPages: 1 });
    const { state } = run(s0, mmapAnon(2), writeFault(0));
    expect(rejectedWith(state, writeFault(1))).toContain('-ENOMEM');
  });

  it('a COW break when RAM is exhausted is rejected with -ENOMEM', () => {
    const s0 = makeWorld({ ...worldSpec(currentEra), ramPages: 1 });
    const { state } = run(s0, mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    expect(rejectedWith(state, writeFault(0))).toContain('COW copy');
  });
});

describe('write_fault on a pinned page since FAULT_FLAG_UNSHARE', () => {
  it('reuses a pinned page that is mapped once (PageAnonExclusive) instead of copying it away from the pin', () => {
    const { state: s1 } = run(world(), mmapAnon(1), writeFault(0), pin(0, 1, false));
    // write-protect the PTE as a later fork-and-exit would, without early COW's copy
    const v = [...s1.vmas.values()][0]!;
    const s2 = { ...s1, vmas: new Map([[v.id, { ...v, ptes: [{ pfn: 0, writable: false }] }]]) };
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });
});

describe('write_fault on a pinned page before FAULT_FLAG_UNSHARE', () => {
  it('copies a pinned page mapped once (5.9 to 5.18): the process moves off the pin', () => {
    const era = eraWith({ pinUnsharesReadOnly: false });
    const { state: s1 } = run(world(era), mmapAnon(1), writeFault(0), pin(0, 1, false));
    const v = [...s1.vmas.values()][0]!;
    const s2 = { ...s1, vmas: new Map([[v.id, { ...v, ptes: [{ pfn: 0, writable: false }] }]]) };
    const { state } = run(s2, writeFault(0));
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 1, writable: true });
  });
});
