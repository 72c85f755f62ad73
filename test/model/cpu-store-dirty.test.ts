/**
 * A CPU store sets the PTE dirty bit: the page it reaches becomes dirty
 * (set_page_dirty at unmap/zap), and what a device wrote there before
 * goes out with it. A load never dirties.
 */
import { describe, expect, it } from 'vitest';
import type { State } from '../../model/state.ts';
import { frame, mmapFile, pteAt, rejectedWith, run, world } from './helpers.ts';

/** A page-cache page mapped writable whose dirty bit is clear and that a device wrote since (the hardware dirty bit not yet transferred). */
const cleanWritableFilePage = (): State => {
  const { state } = run(world(), mmapFile(1), { kind: 'store', mm: 0, addr: 0 });
  expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  return { ...state, frames: state.frames.map((f) => (f.pfn === 0 ? { ...f, dirty: false, deviceWroteSinceDirtied: true } : f)) };
};

describe('store and the dirty bit', () => {
  it('a store through a writable PTE to a clean page dirties it without a fault, and the device data goes with it', () => {
    const s = cleanWritableFilePage();
    const { state, events } = run(s, { kind: 'store', mm: 0, addr: 0 });
    expect(events).toEqual([
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'cpu-access', pfn: 0, via: 'store', io: false },
    ]);
    expect(frame(state, 0)).toEqual({ ...frame(s, 0), dirty: true, deviceWroteSinceDirtied: false });
    expect(pteAt(state, 0, 0)).toEqual({ pfn: 0, writable: true });
  });

  it('a load of the same clean page leaves it clean', () => {
    const s = cleanWritableFilePage();
    const { state, events } = run(s, { kind: 'load', mm: 0, addr: 0 });
    expect(events).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'load', io: false }]);
    expect(state.frames).toEqual(s.frames);
  });

  it('a store or load by an mm that was never created is ill-formed: no process runs it', () => {
    expect(rejectedWith(world(), { kind: 'store', mm: 7, addr: 0 })).toBe('ill-formed: mm 7 has exited: it runs no code');
    expect(rejectedWith(world(), { kind: 'load', mm: 7, addr: 0 })).toBe('ill-formed: mm 7 has exited: it runs no code');
  });
});
