/**
 * Type-correctness of the model itself, kept apart from the safety
 * invariants (as TLA+ specs keep TypeOK apart): every reference count
 * equals the holders the state can name (less what a second release gave
 * back unheld, `Frame.unheldRefs`), nothing free is mapped, VMAs do not
 * overlap. A failure here is a bug in dmacheck, not in a design;
 * the search checks it after every call and stops with `ModelBug`.
 */
import { stale } from '../model/ops/gup.ts';
import { present } from '../model/page.ts';
import type { State } from '../model/state.ts';

export class ModelBug extends Error {}

export const wellFormed = (s: State): string | null => {
  for (const m of s.mms.values()) {
    // The task's own reference lasts while it runs; a driver's mmget_not_zero adds one.
    if (m.users < (m.alive ? 1 : 0)) return `mm ${m.id} ${m.alive ? 'runs' : 'has exited'} with mm_users ${m.users}`;
    if (m.mmapReaders < 0 || m.mmapReaders > s.threads.size) return `mm ${m.id} has ${m.mmapReaders} mmap_read_lock holders and ${s.threads.size} driver threads`;
    // A fork in its window: its child exists, and each PTE it has yet to write-protect is a present, writable one of the parent.
    const fork = m.forkWrprotect;
    if (fork !== undefined) {
      if (!s.forkSteps) return `mm ${m.id} has a fork in its steps in a world without fork's steps`;
      if (!s.mms.has(fork.child)) return `mm ${m.id}'s fork has no child mm ${fork.child}`;
      for (const p of fork.ptes) {
        const v = s.vmas.get(p.vma);
        if (v?.mm !== m.id || present(v.ptes[p.index])?.writable !== true) return `mm ${m.id}'s fork would write-protect page ${p.index} of vma ${p.vma}, which is not a writable PTE of the parent`;
      }
    }
  }
  const tearingDown = (mm: number): boolean => [...s.invalidations.values()].some((i) => i.then.kind === 'exit_mmap' && i.then.mm === mm);
  // Counts per pfn in arrays as long as the frame table (this runs after every call of every search).
  const n = s.frames.length;
  const mapcount = new Int32Array(n);
  const swapEntries = new Int32Array(s.swap.length);
  for (const v of s.vmas.values()) {
    // The address space lasts until the last mm_users reference is gone and exit_mmap's invalidation ends.
    const m = s.mms.get(v.mm);
    if (m === undefined || (m.users === 0 && !tearingDown(v.mm))) return `vma ${v.id} belongs to mm ${v.mm}, whose address space is gone`;
    if (v.ptes.length !== v.npages) return `vma ${v.id} has ${v.ptes.length} PTEs for ${v.npages} pages`;
    for (const w of s.vmas.values())
      if (w.id !== v.id && w.mm === v.mm && v.start < w.start + w.npages && w.start < v.start + v.npages) return `vmas ${v.id} and ${w.id} overlap`;
    for (const p of v.ptes) {
      if (p === null) continue;
      if (!('swap' in p)) {
        mapcount[p.pfn]! += 1;
        continue;
      }
      // Only anonymous memory is swapped: a private VMA's own pages.
      if (v.shared || s.swap[p.swap] === undefined || s.swap[p.swap] === null) return `vma ${v.id} has a swap entry for slot ${p.swap}, which is ${v.shared ? 'in a shared mapping' : 'not allocated'}`;
      swapEntries[p.swap]! += 1;
    }
  }
  const gupRefs = new Int32Array(n);
  const pins = new Int32Array(n);
  for (const a of s.pageArrays.values())
    for (let i = 0; i < a.pfns.length; i++) {
      // A page freed under the array by a release that held nothing: a stale pointer holds no reference.
      if (stale(a, i)) continue;
      const pfn = a.pfns[i]!;
      const f = s.frames[pfn];
      if (f !== undefined && !f.free && f.gen !== a.gens[i]) return `pages ${a.id} hold pfn ${pfn} of allocation ${a.gens[i]}, but the frame is at allocation ${f.gen}`;
      gupRefs[pfn]! += 1;
      if (a.kind === 'pin') pins[pfn]! += 1;
    }
  // A swap slot is allocated while swap entries name it, and its swap-cache page is an anonymous page that is in no other slot.
  const swapCached = new Uint8Array(n);
  for (let id = 0; id < s.swap.length; id++) {
    const w = s.swap[id];
    if (w === null || w === undefined) continue;
    if (w.count < 1 || w.count !== swapEntries[id]) return `swap slot ${id} counts ${w.count} entries but ${swapEntries[id]} swap PTE(s) name it`;
    if (w.cache === null) continue;
    const f = s.frames[w.cache];
    if (f === undefined || f.free || f.mapping.kind !== 'anon' || swapCached[w.cache] === 1) return `swap slot ${id}'s swap cache names pfn ${w.cache}, which is not an anonymous page of its own`;
    swapCached[w.cache] = 1;
  }
  const cached = new Uint8Array(n);
  for (const ino of s.inodes)
    for (let index = 0; index < ino.cache.length; index++) {
      const pfn = ino.cache[index]!;
      if (pfn === null) continue;
      const f = s.frames[pfn];
      if (f === undefined || f.free || f.mapping.kind !== 'file' || f.mapping.inode !== ino.id || f.mapping.index !== index)
        return `page cache of inode ${ino.id} index ${index} points at pfn ${pfn}, which is not that file page`;
      cached[pfn] = 1;
    }
  for (const f of s.frames) {
    const m = mapcount[f.pfn]!;
    // Counts that went below their holders (a second release) stay below them by the amounts the model keeps.
    if (f.unheldRefs < f.unheldPins || f.unheldPins < 0) return `frame ${f.pfn} counts ${f.unheldRefs} unheld reference(s) and ${f.unheldPins} unheld pin(s)`;
    if (f.free) {
      if (f.refcount !== -f.unheldRefs || f.pincount !== -f.unheldPins || f.mapcount !== 0)
        return `free frame ${f.pfn} has refcount ${f.refcount}, pincount ${f.pincount}, mapcount ${f.mapcount}${f.unheldRefs === 0 ? '' : ` with ${f.unheldRefs} reference(s) and ${f.unheldPins} pin(s) given back unheld`}`;
      if (f.lostPins !== 0) return `free frame ${f.pfn} keeps ${f.lostPins} lost pin(s)`;
      if (m > 0 && f.structPage) return `free page ${f.pfn} is still mapped by ${m} PTE(s)`;
      if (gupRefs[f.pfn]! > 0) return `free page ${f.pfn} is still held by a GUP array`;
      continue;
    }
    if (!f.structPage) continue;
    if (f.mapping.kind === 'zero') {
      // Special PTEs: no mapcount, no reference. GUP references count; pins too before 6.5.
      // A lost pin (put_page of a FOLL_PIN array) keeps what it took: nothing since 6.5.
      const pinned = s.era.pinSkipsZeroPage ? 0 : pins[f.pfn]! + f.lostPins;
      const refs = 1 + gupRefs[f.pfn]! - pins[f.pfn]! + pinned;
      // Since 6.5 a pin takes nothing on the zero page, so none can be lost there.
      if (s.era.pinSkipsZeroPage && f.lostPins !== 0) return `the zero page keeps ${f.lostPins} lost pin(s), but since 6.5 a pin takes nothing there`;
      if (f.mapcount !== 0 || f.pincount !== pinned - f.unheldPins || f.refcount !== refs - f.unheldRefs)
        return `the zero page has refcount ${f.refcount}, pincount ${f.pincount}, mapcount ${f.mapcount}; expected ${refs - f.unheldRefs}, ${pinned - f.unheldPins}, 0`;
      continue;
    }
    if (f.mapcount !== m) return `page ${f.pfn} has mapcount ${f.mapcount} but ${m} PTE(s) map it`;
    // A lost pin stays counted, in pincount and as its one reference, with no holder to name.
    const held = pins[f.pfn]!;
    if (f.pincount !== held + f.lostPins - f.unheldPins)
      return `page ${f.pfn} has pincount ${f.pincount} but ${held} pin(s) are held${f.lostPins === 0 ? '' : ` and ${f.lostPins} lost`}${f.unheldPins === 0 ? '' : ` and ${f.unheldPins} given back unheld`}`;
    const expected = m + cached[f.pfn]! + swapCached[f.pfn]! + gupRefs[f.pfn]! + (f.mapping.kind === 'kernel' ? 1 : 0) + f.lostPins;
    if (f.refcount !== expected - f.unheldRefs)
      return `page ${f.pfn} has refcount ${f.refcount} but ${expected} holder(s)${f.unheldRefs === 0 ? '' : ` and ${f.unheldRefs} reference(s) given back unheld`}`;
    // The kernel frees a page whose count reaches zero, unless a PTE or the page cache still has it (Bad page state).
    if (f.refcount === 0 && f.pincount === 0 && !(f.unheldRefs > 0 && (m > 0 || cached[f.pfn] === 1 || swapCached[f.pfn] === 1))) return `page ${f.pfn} is allocated with refcount 0`;
  }
  const recorded = new Set<string>();
  for (const r of s.records) {
    const key = `${r.device}:${r.mapping}`;
    if (recorded.has(key)) return `device ${r.device}'s driver records mapping ${r.mapping} twice`;
    recorded.add(key);
  }
  return null;
};
