/**
 * search() on vma-p2p-map with a fixed seed: the violation it finds
 * (mmap, p2p_map, device_program, exit_mmap), the path that replays it in
 * one run, and the time it reports.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { invariantById } from '../../properties/registry.ts';
import { search } from '../../properties/search.ts';

const design = designById('vma-p2p-map')!;
const lifetime = [invariantById('map-within-vma-lifetime')];

describe('search on vma-p2p-map, seed 1', () => {
  it('finds exit_mmap under a programmed p2p_map mapping, and its path replays that run alone', () => {
    const before = performance.now();
    const r = search(design, lifetime, { seed: 1, runs: 500, maxCommands: 10 });
    const wall = performance.now() - before;
    expect(r.found?.trace.map((t) => t.op.kind)).toEqual(['mmap', 'p2p_map', 'device_program', 'exit_mmap']);
    expect(r.path).toBe('35:4:3:3@BAAABABI:qC');
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeLessThanOrEqual(wall);
    const again = search(design, lifetime, { seed: 1, runs: 500, maxCommands: 10, path: r.path! });
    // The replay runs only that run, and says which run of the search it was (index 35: run 36).
    expect([again.runs, r.runs, again.path]).toEqual([36, 36, r.path]);
    expect(again.found?.violation).toEqual(r.found?.violation);
  });

  it('a hold reports no path, the runs made and a time within the call', () => {
    const before = performance.now();
    const r = search(design, [invariantById('no-cpu-iomem')], { seed: 1, runs: 3, maxCommands: 4 });
    const wall = performance.now() - before;
    expect([r.found, r.path, r.runs]).toEqual([null, null, 3]);
    expect(r.ms).toBeLessThanOrEqual(wall);
  });
});
