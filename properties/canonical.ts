/**
 * A canonical key for a DMA-model state, for the explorer's visited set.
 *
 * Symmetry reduction: objects are renamed by their rank in an order that
 * does not depend on their ids (VMAs by owner and address, GUP arrays,
 * tables and mappings by their contents), so two states that differ only
 * in the naming of interchangeable objects, or in how many ids were used
 * up on the way, get the same key.
 *
 * Processes are interchangeable too (process symmetry, on unless asked
 * off): no op, template or invariant treats one mm id differently from
 * another (the first process is not special: fork's child runs the same
 * templates), so processes are ranked by what they hold (their own fields,
 * their VMAs and PTEs by address, the notifiers over them), ties by id.
 * Two states that differ only in which process holds what then merge: a
 * parent that mapped a BAR after fork and a child that did. Off, processes
 * keep their creation order, as before the reduction; docs/exploring.md
 * gives what each costs and test/properties/process-symmetry.test.ts
 * compares the verdicts and shortest traces of both.
 *
 * Ghost data is reduced to what the invariants can observe: a mapping
 * entry keeps only whether its frame is still the allocation it was made
 * for (generations only grow, so a stale entry never becomes fresh again);
 * frame generations and `nextId` are dropped. Sequence counts are only
 * ever compared for equality and only grow, so a notifier's seq is kept as
 * "equal to its mm's or not", and a thread's as "equal to its notifier's
 * (or mm's) or not". Notifiers, driver threads and invalidations are
 * named by the order of their ids, and device ranges by their contents.
 * An invalidation's ranges are a set to every op (a callback is handed
 * their hull over its notifier; the end of the invalidation visits each
 * mm once), so the key lists them sorted, whatever order the rmap walk
 * that made them found the VMAs in.
 */
import { holdsPage } from '../model/ops/fault.ts';
import { stale } from '../model/ops/gup.ts';
import type { Continuation, DmaMapping, Frame, MappedEntry, Mm, PageArray, PteEntry, Sgl, State, Vma } from '../model/state.ts';

const rankBy = <A extends { readonly id: number }>(xs: Iterable<A>, key: (a: A) => string): Map<number, number> => {
  const sorted = [...xs].map((a) => [key(a), a.id] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return new Map(sorted.map(([, id], i) => [id, i]));
};

const r = (m: Map<number, number>, id: number | null): number => (id === null ? -1 : (m.get(id) ?? -2));

const pteKey = (p: PteEntry): string => (p === null ? '-' : 'swap' in p ? `~${p.swap}${p.exclusive ? 'x' : ''}` : `${p.pfn}${p.writable ? 'w' : 'r'}`);

/*
 * State objects are immutable and shared between a state and its
 * successors, so the parts of the key that name no other object are
 * computed once per object (the explorer computes a key per transition,
 * and these were a third of its time).
 */
const frameKeys = new WeakMap<Frame, string>();
const vmaKeys = new WeakMap<Vma, string>();

/** A frame's counts and flags (frames keep their pfn: they are not renamed). */
const frameKey = (f: Frame): string => {
  let k = frameKeys.get(f);
  if (k === undefined) {
    k = f.free
      ? `F${f.unheldRefs === 0 ? '' : `-${f.unheldRefs}.${f.unheldPins}`}`
      : `${f.refcount},${f.pincount},${f.mapcount},${f.dirty ? 1 : 0}${f.fsPrivate ? 1 : 0}${f.deviceWroteSinceDirtied ? 1 : 0},${f.mapping.kind === 'file' ? `f${f.mapping.index}` : f.mapping.kind[0]}${f.lostPins === 0 ? '' : `~${f.lostPins}`}${f.unheldRefs === 0 ? '' : `-${f.unheldRefs}.${f.unheldPins}`}`;
    frameKeys.set(f, k);
  }
  return k;
};

/** A VMA's address, backing, flags (but its anon_vma) and PTEs: all of it but its mm and anon_vma, which the key ranks. */
const vmaKey = (v: Vma): string => {
  let k = vmaKeys.get(v);
  if (k === undefined) {
    const b = v.backing.kind === 'bar' ? `b${v.backing.bar}:${v.backing.window.join(',')}` : v.backing.kind === 'file' ? `f${v.backing.inode}` : v.backing.kind === 'p2pmem' ? `p${v.backing.bar}` : 'a';
    k = `@${v.start}+${v.npages}${b}${v.shared ? 's' : 'p'}${v.writable ? 'w' : 'r'}${v.dontcopy ? 'd' : ''}[${v.ptes.map(pteKey).join(',')}]`;
    vmaKeys.set(v, k);
  }
  return k;
};

/**
 * What a process holds, without naming another process: its own fields,
 * its VMAs by address with their PTEs, and the notifiers over it. The sort
 * key of process symmetry; two processes with the same one keep their id
 * order, so the key stays a whole description of the state either way.
 */
const processSignature = (s: State, m: Mm): string => {
  const vmas = [...s.vmas.values()].filter((v) => v.mm === m.id).sort((a, b) => a.start - b.start);
  const notifiers = [...s.notifiers.values()].filter((n) => n.mm === m.id).sort((a, b) => a.id - b.id);
  return (
    `${m.alive ? 1 : 0}${m.hasPinned ? 1 : 0}u${m.users}r${m.mmapReaders}q${m.invalidateSeq % 2}${m.forkWrprotect === undefined ? '' : 'F'}|` +
    vmas.map(vmaKey).join(';') +
    `|${notifiers.map((n) => `${n.start}-${n.end}:${n.owner}:${n.seq === m.invalidateSeq ? '=' : '<'}`).join(';')}`
  );
};

/** Processes ranked by what they hold (`processSymmetry`), or by creation order. */
const processRanks = (s: State, processSymmetry: boolean): Map<number, number> =>
  processSymmetry && s.mms.size > 1 ? rankBy(s.mms.values(), (m) => processSignature(s, m)) : new Map([...s.mms.keys()].sort((a, b) => a - b).map((id, i) => [id, i]));

export const canonicalKey = (s: State, processSymmetry = true): string => {
  const mm = processRanks(s, processSymmetry);
  const vma = rankBy(s.vmas.values(), (v) => `${r(mm, v.mm)}|${v.start}`);
  const pagesKey = (a: PageArray) => `${a.kind}|${r(mm, a.mm)}|${a.vmas.map((v) => r(vma, v)).join(',')}|${a.cow.map((c) => (c ? 'c' : 's')).join('')}|${a.start}|${a.pfns.map((p, i) => (stale(a, i) ? `${p}!` : p)).join(',')}|${a.write ? 1 : 0}${a.longterm ? 1 : 0}${a.pipe === true ? '|pipe' : ''}`;
  const pages = rankBy(s.pageArrays.values(), pagesKey);
  const sglKey = (t: Sgl) => `${t.dmaOnly ? 1 : 0}|${r(pages, t.pages)}|${t.entries.map((e) => e.page ?? '-').join(',')}`;
  const sgl = rankBy(s.sgls.values(), sglKey);
  // IOVA ranges by the order of their ids (as notifiers below): an entry may name one.
  const or = new Map([...s.iovas.keys()].sort((a, b) => a - b).map((id, i) => [id, i]));
  /** A DMA address as an invariant sees it: its frame, whether that is still the allocation it was made for, where it really lands. */
  const entryKey = (e: MappedEntry): string => {
    const f = s.frames[e.pfn]!;
    return `${e.pfn}${!f.free && f.gen === e.gen ? '' : '!'}${e.reaches === e.pfn ? '' : `>${e.reaches ?? '-'}`}${e.bounced === true ? 'b' : ''}${e.iova === undefined ? '' : `@${r(or, e.iova.id)}.${e.iova.offset}`}`;
  };
  const entries = (m: DmaMapping) => m.entries.map(entryKey);
  // dma-bufs and attachments by the order of their ids, as notifiers below.
  const att = new Map([...s.attachments.keys()].sort((a, b) => a - b).map((id, i) => [id, i]));
  const dbr = new Map([...s.dmaBufs.keys()].sort((a, b) => a - b).map((id, i) => [id, i]));
  const origin = (m: DmaMapping): string => {
    switch (m.origin.kind) {
      case 'sgl':
        return `s${r(sgl, m.origin.sgl)}`;
      case 'page':
        return 'p';
      case 'vma-op':
        return `v${r(vma, m.origin.vma)}:${r(mm, m.origin.mm)}:${m.origin.start}:${m.origin.npages}`;
      case 'dmabuf':
        return `d${r(att, m.origin.attachment)}`;
    }
  };
  const mappingKey = (m: DmaMapping) => `${m.device}|${m.dir}|${m.api}|${origin(m)}|${m.nents}/${m.mapped}${m.errorChecked ? 'c' : ''}${m.invalidated === true ? 'v' : ''}|${entries(m).join(',')}`;
  const mapping = rankBy(s.mappings.values(), mappingKey);
  // Notifiers, driver threads and invalidations by the order of their ids: ids only grow, so a
  // new one outranks every one there is, and two states that differ only in how many ids were
  // used up on the way behave alike (callbacks run and templates offer in id order).
  const byOrder = (ids: Iterable<number>): Map<number, number> => new Map([...ids].sort((a, b) => a - b).map((id, i) => [id, i]));
  const nr = byOrder(s.notifiers.keys());
  const tr = byOrder(s.threads.keys());
  const ir = byOrder(s.invalidations.keys());
  const parts: string[] = [];
  for (const f of s.frames) parts.push(frameKey(f));
  // Stryker disable next-line StringLiteral: every BAR is one digit (0, 1 or 2), so any separator keeps the list readable back the same way
  parts.push(`B${s.bars.map((b) => `${b.alive ? (b.removing ? 2 : 1) : 0}${b.pgmapRefs === 0 ? '' : `+${b.pgmapRefs}`}`).join('')}`);
  parts.push(`U${s.devices.map((d) => (d.bound ? 1 : 0)).join('')}`);
  // The IOMMU calls fault injection makes fail, per device, where any does.
  if (s.devices.some((d) => d.iommuFaults.length > 0)) parts.push(`Z${s.devices.map((d) => d.iommuFaults.map((c) => (c === 'iommu_map' ? 'm' : 's')).sort().join('')).join(',')}`);
  parts.push(`I${s.inodes.map((i) => i.cache.map((p) => p ?? '-').join(',')).join(';')}`);
  // A fork between its check and its write-protect (worlds with fork's steps): its child and the PTEs it has yet to write-protect.
  const forkKey = (m: Mm): string => (m.forkWrprotect === undefined ? '' : `F${r(mm, m.forkWrprotect.child)}:${m.forkWrprotect.ptes.map((p) => `${r(vma, p.vma)}.${p.index}`).join('.')}`);
  parts.push(`M${[...s.mms.values()].sort((a, b) => r(mm, a.id) - r(mm, b.id)).map((m) => `${m.alive ? 1 : 0}${m.hasPinned ? 1 : 0}u${m.users}r${m.mmapReaders}${forkKey(m)}`).join(',')}`);
  const sortedBy = <A extends { readonly id: number }>(xs: Iterable<A>, rank: Map<number, number>) => [...xs].sort((a, b) => r(rank, a.id) - r(rank, b.id));
  // anon_vma ids only matter by which VMAs share one: numbered by first use in VMA order.
  const anonVmas = new Map<number, number>();
  const anonKey = (a: number | null): string => {
    if (a === null) return '-';
    if (!anonVmas.has(a)) anonVmas.set(a, anonVmas.size);
    return String(anonVmas.get(a));
  };
  parts.push(
    `V${sortedBy(s.vmas.values(), vma)
      .map((v) => `${r(mm, v.mm)}${vmaKey(v)}${anonKey(v.anonVma)}`)
      .join(';')}`,
  );
  parts.push(`P${sortedBy(s.pageArrays.values(), pages).map(pagesKey).join(';')}`);
  parts.push(`S${sortedBy(s.sgls.values(), sgl).map((t) => `${sglKey(t)}>${r(mapping, t.mapping)}`).join(';')}`);
  parts.push(`D${sortedBy(s.mappings.values(), mapping).map(mappingKey).join(';')}`);
  parts.push(
    `N${[...s.notifiers.values()]
      .sort((a, b) => a.id - b.id)
      .map((n) => `${r(nr, n.id)}:${r(mm, n.mm)}:${n.start}-${n.end}:${n.owner}`)
      .join(';')}`,
  );
  /** Whether the page a reclaim, migration or writeback locked is still the frame's allocation ('!': it was freed, maybe allocated again). */
  const held = (c: { readonly pfn: number; readonly gen: number }): string => (holdsPage(s, c) ? '' : '!');
  /** A continuation with its VMA and mm ids ranked like the objects they name. */
  // A switch, not ts-pattern's match: this runs for every invalidation of every key the explorer makes.
  const thenKey = (t: Continuation): string => {
    switch (t.kind) {
      case 'munmap':
        return `u${t.vmas.map((v) => r(vma, v)).join(',')}`;
      case 'mprotect':
        return `p${r(mm, t.mm)}@${t.start}-${t.end}${t.write ? 'w' : 'r'}`;
      case 'mremap_move':
        return `m${r(vma, t.from)}>${r(vma, t.to)}`;
      case 'fork':
        return `f${r(mm, t.mm)}`;
      case 'page_mkclean':
        return `c${t.pfn}${held(t)}`;
      case 'wp_page_copy':
        return `w${r(mm, t.mm)}@${t.addr}`;
      case 'exit_mmap':
        return `x${r(mm, t.mm)}`;
      case 'madvise_dontneed':
        return `d${r(mm, t.mm)}@${t.start}-${t.end}`;
      case 'unmap_mapping_range':
        return `z${t.dev}`;
      case 'reclaim':
        return `r${t.pfn}${held(t)}`;
      case 'migrate_page':
        return `g${t.pfn}${held(t)}`;
    }
  };
  const mmSeq = (m: number): number => s.mms.get(m)?.invalidateSeq ?? -1;
  parts.push(`Q${[...s.mms.values()].sort((a, b) => r(mm, a.id) - r(mm, b.id)).map((m) => m.invalidateSeq % 2).join('')}`);
  parts.push(`n${[...s.notifiers.values()].sort((a, b) => a.id - b.id).map((n) => `${r(nr, n.id)}:${n.seq === mmSeq(n.mm) ? '=' : '<'}`).join(',')}`);
  parts.push(
    `T${[...s.threads.values()]
      .sort((a, b) => a.id - b.id)
      .map((t) => {
        const n = (t.notifier === null ? undefined : s.notifiers.get(t.notifier));
        const seq = t.seq === null ? '-' : t.seq === n?.seq ? '=' : '<';
        const cur = t.curSeq === mmSeq(n?.mm ?? -1) ? '=' : '<';
        const m = t.mapping === null ? '-' : s.mappings.has(t.mapping) ? `m${r(mapping, t.mapping)}` : 'x';
        const ents = t.entries === null ? '-' : t.entries.map(entryKey).join(',');
        const found = t.vma === null ? '-' : `${r(vma, t.vma.vma)}@${t.vma.start}-${t.vma.end}${t.vma.p2pMap ? 'p' : ''}${t.vma.writable ? 'w' : 'r'}`;
        const pfns = t.pfns === null ? '' : `:${t.pfns.map((p) => `${entryKey({ dma: p.pfn, pfn: p.pfn, gen: p.gen, reaches: p.pfn })}${p.write ? 'w' : 'r'}`).join(',')}`;
        const dmabuf = t.attachment === undefined && t.dmabuf === undefined ? '' : `:a${r(att, t.attachment ?? null)}d${r(dbr, t.dmabuf ?? null)}${t.moveNotify === true ? 'n' : ''}${t.pinned === true ? 'p' : ''}`;
        const request = t.request === undefined ? '' : `:q${r(pages, t.request.pages)}/${t.request.npages}o${r(or, t.iova ?? null)}+${t.mapped ?? '-'}`;
        return `${r(tr, t.id)}:${t.device}:${t.recipe}:${t.pc}:${r(nr, t.notifier)}:${r(ir, t.inv)}:${cur}:${seq}:${m}:${ents}:${found}:${t.retry === null ? '-' : t.retry ? 1 : 0}${t.stale === null ? '' : t.stale ? 's' : 'b'}${t.write ? 'W' : ''}${pfns}${dmabuf}${request}`;
      })
      .join(';')}`,
  );
  parts.push(
    `X${[...s.invalidations.values()]
      .sort((a, b) => a.id - b.id)
      .map((i) => `${r(ir, i.id)}:${i.event}:${i.ranges.map((g) => `${r(mm, g.mm)}@${g.start}-${g.end}`).sort().join('+')}:${r(mm, i.mmapLocked)}:${i.queue.map((n) => r(nr, n)).join(',')}:${r(tr, i.running)}:${thenKey(i.then)}`)
      .join(';')}`,
  );
  parts.push(
    `R${[...s.deviceRanges.values()]
      .map((d) => `${d.device}${d.streaming ? 's' : ''}:${d.mapping === null ? 'v' : s.mappings.has(d.mapping) ? `m${r(mapping, d.mapping)}` : 'x'}:${r(mm, d.mm)}@${d.start}-${d.end}:${d.dir}:${d.entries.map(entryKey).join(',')}`)
      .sort()
      .join(';')}`,
  );
  // What each driver recorded (the mappings it knows it holds).
  parts.push(
    `K${s.records
      .map((k) => `${k.device}:${r(nr, k.notifier)}:${s.mappings.has(k.mapping) ? `m${r(mapping, k.mapping)}` : 'x'}:${r(vma, k.vma)}:${r(mm, k.mm)}@${k.start}-${k.end}`)
      .sort()
      .join(';')}`,
  );
  parts.push(`L${s.driverLocks.join(',')}`);
  // IOVA ranges by the order of their ids: each page's translation (its frame, still the allocation it was linked for or not, direction, synced) and what the device was handed.
  if (s.iovas.size > 0)
    parts.push(
      `O${[...s.iovas.values()]
        .sort((a, b) => a.id - b.id)
        .map((v) => {
          const links = v.links.map((l) => (l === null ? '-' : `${entryKey({ dma: 0, pfn: l.pfn, gen: l.gen, reaches: l.reaches })}${l.dir[0]}${l.synced ? 's' : 'u'}`)).join(',');
          const owner = v.owner.kind === 'request' ? `q${r(pages, v.owner.pages)}` : `t${v.owner.mapping === null ? '-' : s.mappings.has(v.owner.mapping) ? r(mapping, v.owner.mapping) : 'x'}`;
          return `${r(or, v.id)}:${v.device}:${owner}${v.allocated ? '' : 'f'}:${links}:${v.handed === null ? '-' : `${v.handed.npages}${v.handed.dir[0]}`}`;
        })
        .join(';')}`,
    );
  if (s.dmaBufs.size > 0) {
    parts.push(`E${[...s.dmaBufs.values()].sort((a, b) => a.id - b.id).map((b) => `${b.exporter}:${b.bar}:${b.pfns.join(',')}:${b.resv ?? '-'}${b.revoked ? 'r' : ''}`).join(';')}`);
    parts.push(`A${[...s.attachments.values()].sort((a, b) => a.id - b.id).map((a) => `${r(dbr, a.dmabuf)}:${a.importer}${a.peer2peer ? 'p' : ''}${a.pins}`).join(';')}`);
    parts.push(`J${[...s.jobs.values()].map((j) => `${j.device}:${r(dbr, j.dmabuf)}:${r(att, j.attachment)}:${s.mappings.has(j.mapping) ? `m${r(mapping, j.mapping)}` : 'x'}:${j.fenced ? 'f' : 'r'}${j.invalidated === true ? 'v' : ''}:${j.entries.map(entryKey).join(',')}`).sort().join(';')}`);
    parts.push(`G${s.sgtRecords.map((k) => `${k.device}:${r(att, k.attachment)}:${r(dbr, k.dmabuf)}:${s.mappings.has(k.mapping) ? `m${r(mapping, k.mapping)}` : 'x'}${k.pinned ? 'p' : ''}`).sort().join(';')}`);
  }
  // Swap slots keep their index (the PTEs name them): each one's count and swap-cache page.
  if (s.swap.some((w) => w !== null)) parts.push(`W${s.swap.map((w) => (w === null ? '' : `${w.count}:${w.cache ?? '-'}`)).join(',')}`);
  return parts.join(' ');
};
