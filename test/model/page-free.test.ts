/**
 * A frame given back to its allocator is clean: the last put_page frees
 * it with no dirty bit and no device data the kernel was not told about,
 * as the page allocator hands out only clean pages.
 */
import { describe, expect, it } from 'vitest';
import { frame, mmapAnon, munmapVma, lastId, run, world, writeFault } from './helpers.ts';

describe('the last put_page', () => {
  it('munmap of a dirty anonymous page frees its frame clean, as it was before allocation but one generation on', () => {
    const s0 = world();
    const { state: s1 } = run(s0, mmapAnon(1), writeFault(0));
    expect(frame(s1, 0)).toMatchObject({ free: false, dirty: true, mapcount: 1, refcount: 1 });
    const { state, events } = run(s1, munmapVma(s1, lastId(s1.vmas)));
    expect(events).toContainEqual({ kind: 'page-freed', pfn: 0 });
    expect(frame(state, 0)).toEqual({ ...frame(s0, 0), gen: frame(s0, 0).gen + 1 });
  });
});
