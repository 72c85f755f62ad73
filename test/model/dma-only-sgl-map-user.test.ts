/**
 * sgl_dma_map_user's refusals: an exporter window mapped only whole, and
 * pin_user_pages' own error passed on unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { DmaDirection } from '../../model/state.ts';
import type { Op } from '../../model/op.ts';
import { IMPORTER, mmapAnon, mmapBar, rejectedWith, run, world } from './helpers.ts';

const mapUser = (start: number, npages: number, dir: DmaDirection): Op => ({ kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start, npages, dir });

describe('sgl_dma_map_user', () => {
  it('the first page of a two-page exporter BAR window alone is -EINVAL: the exporter maps whole windows', () => {
    const { state } = run(world(), mmapBar(2));
    expect(rejectedWith(state, mapUser(0, 1, 'to-device'))).toBe('-EINVAL: the exporter maps whole windows: vma 1 is [0, 2)');
  });

  it('the second page of a two-page exporter BAR window is -EINVAL and names the window', () => {
    const { state } = run(world(), mmapAnon(1), mmapBar(2));
    expect(rejectedWith(state, mapUser(2, 1, 'to-device'))).toBe('-EINVAL: the exporter maps whole windows: vma 2 is [1, 3)');
  });

  it('from the device on a read-only mapping is refused with the -EFAULT pin_user_pages(FOLL_WRITE) returns', () => {
    const { state } = run(world(), mmapAnon(1), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false });
    expect(rejectedWith(state, mapUser(0, 1, 'from-device'))).toBe('-EFAULT: FOLL_WRITE on vma 1, which has no VM_WRITE');
  });
});
