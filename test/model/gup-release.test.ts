/**
 * Releasing what GUP returned: the rejection each release call gives for
 * the wrong kind of array, set_page_dirty_lock on pages already dirty,
 * a DMA-only table's private pins next to the caller's own, and the
 * FAULT_FLAG_UNSHARE copy that needs a free page.
 */
import { describe, expect, it } from 'vitest';

import { currentEra, makeWorld } from '../../model/world.ts';
import { IMPORTER, frame, gup, lastId, mmapAnon, pin, pteAt, rejectedWith, run, world, worldSpec, writeFault } from './helpers.ts';

describe('the release calls', () => {
  it('unpin_user_pages and unpin_user_pages_dirty_lock of get_user_pages (FOLL_GET) pages are ill-formed and name the call', () => {
    const { state } = run(world(), mmapAnon(1), gup(0, 1, true));
    const pages = lastId(state.pageArrays);
    expect(rejectedWith(state, { kind: 'unpin_user_pages', pages })).toBe(
      `ill-formed: pages ${pages} came from get_user_pages (FOLL_GET); unpin_user_pages would unbalance the pin count (not modelled)`,
    );
    expect(rejectedWith(state, { kind: 'unpin_user_pages_dirty_lock', pages, make_dirty: true })).toBe(
      `ill-formed: pages ${pages} came from get_user_pages (FOLL_GET); unpin_user_pages_dirty_lock would unbalance the pin count (not modelled)`,
    );
  });

  it('set_page_dirty_lock on a dirty page a device wrote since keeps it dirty, reports nothing, and the device data now goes out with it', () => {
    const { state: s1 } = run(world(), mmapAnon(1), gup(0, 1, true));
    // A device write through a programmed range (importer device_write) marks even a dirty page; set here directly.
    const wrote = { ...s1, frames: s1.frames.map((f) => (f.pfn === 0 ? { ...f, deviceWroteSinceDirtied: true } : f)) };
    const { state, events } = run(wrote, { kind: 'set_page_dirty_lock', pages: lastId(s1.pageArrays) });
    expect(events).toEqual([]);
    expect(frame(state, 0)).toEqual({ ...frame(s1, 0), dirty: true, deviceWroteSinceDirtied: false });
  });

  it('set_page_dirty_lock on pages a write fault already dirtied changes no frame and reports nothing', () => {
    const { state: s1 } = run(world(), mmapAnon(2), gup(0, 2, true));
    expect(frame(s1, 0).dirty).toBe(true);
    const { state, events } = run(s1, { kind: 'set_page_dirty_lock', pages: lastId(s1.pageArrays) });
    expect(events).toEqual([]);
    expect(state.frames).toEqual(s1.frames);
  });

  it("a DMA-only table's private pins do not make the caller's own pin_user_pages array private: unpin_user_pages releases it", () => {
    const { state: s1 } = run(world(), mmapAnon(2), { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: 0, npages: 1, dir: 'from-device' }, pin(1, 1, true));
    const own = lastId(s1.pageArrays);
    expect([...s1.sgls.values()].map((t) => t.dmaOnly)).toEqual([true]);
    const { state, events } = run(s1, { kind: 'unpin_user_pages', pages: own });
    expect(state.pageArrays.has(own)).toBe(false);
    expect(events).toEqual([{ kind: 'reference-dropped', pfn: 1, pages: own, pin: true, write: true, undirtiedDeviceData: false }]);
    expect(frame(state, 1)).toMatchObject({ pincount: 0, refcount: 1 });
  });
});

describe('FAULT_FLAG_UNSHARE', () => {
  it('a read-only pin_user_pages of a page fork left shared, with no free RAM page for the copy, is -ENOMEM', () => {
    const s0 = makeWorld({ ...worldSpec(currentEra), ramPages: 1 });
    const { state } = run(s0, mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: false });
    expect(rejectedWith(state, pin(0, 1, false))).toBe('-ENOMEM: no free RAM page for the COW copy (VM_FAULT_OOM)');
  });
});

