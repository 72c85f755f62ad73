/**
 * An HMM mirror's device page table (Documentation/mm/hmm.rst, "use
 * pfns array content to update device page table under the update
 * lock"): the driver writes the pfns hmm_range_fault returned into its
 * device's own page table, one entry per virtual page, read-only where the
 * CPU's PTE was; the device then reaches process memory by virtual
 * address (shared virtual memory) until the driver zaps the entries
 * (`device_stop_dma`) or write-protects them (`device_write_protect`).
 * Driver actions, not kernel calls: none returns an error.
 */
import { drop, put } from '../collections.ts';
import type { Event } from '../event.ts';
import { freshId, setFrame } from '../page.ts';
import { done, illFormed, type Outcome } from '../result.ts';
import type { DeviceId, DeviceRange, MmId, State, ThreadId } from '../state.ts';

/** The driver programs its device with the pfns its thread `by` got from hmm_range_fault, replacing whatever the device had for those pages. */
export const deviceProgramPfns = (s: State, dev: DeviceId, by: ThreadId | undefined): Outcome => {
  const op = 'device_program_pfns';
  const t = by === undefined ? undefined : s.threads.get(by);
  if (t === undefined || t.device !== dev || t.pfns === null || t.pfns.length === 0 || t.range === null)
    return illFormed(op, `no driver thread of device ${dev} holds pfns from hmm_range_fault`);
  const { mm, start } = t.range;
  const end = start + t.pfns.length;
  let ranges = s.deviceRanges;
  for (const r of s.deviceRanges.values())
    if (r.device === dev && r.mapping === null && r.mm === mm && r.start < end && start < r.end) ranges = drop(ranges, r.id);
  let state: State = { ...s, deviceRanges: ranges };
  const events: Event[] = [];
  for (const [i, p] of t.pfns.entries()) {
    const [s1, id] = freshId(state);
    const r: DeviceRange = {
      id,
      device: dev,
      mapping: null,
      mm,
      start: start + i,
      end: start + i + 1,
      dir: p.write ? 'bidirectional' : 'to-device',
      entries: [{ dma: p.pfn, pfn: p.pfn, gen: p.gen, reaches: p.pfn }],
      streaming: false,
    };
    state = { ...s1, deviceRanges: put(s1.deviceRanges, id, r) };
    events.push({ kind: 'device-programmed', device: dev, range: id, mapping: null });
  }
  return done(state, events);
};

/**
 * The device reads or writes virtual page `addr` of `mm` through its own
 * page table: the access lands on the frame the entry holds. Without an
 * entry, or a write through a read-only one, the device faults to its
 * driver instead (not a step here: the driver's map path is).
 */
export const deviceSvmAccess = (s: State, dev: DeviceId, mm: MmId, addr: number, write: boolean): Outcome => {
  const op = 'device_svm_access';
  const r = [...s.deviceRanges.values()].find((x) => x.device === dev && x.mapping === null && x.mm === mm && x.start <= addr && addr < x.end);
  if (r === undefined) return illFormed(op, `device ${dev}'s page table has no entry for page ${addr} of mm ${mm}: the device faults`);
  if (write && r.dir === 'to-device') return illFormed(op, `device ${dev}'s page table maps page ${addr} of mm ${mm} read-only: the write faults on the device`);
  const e = r.entries[0]!;
  const f = s.frames[e.pfn]!;
  const state = write && f.structPage && !f.free && !f.dirty ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: 'device-access', device: dev, mapping: null, va: { mm, addr }, pfn: e.pfn, gen: e.gen, reached: e.reaches, write }]);
};
