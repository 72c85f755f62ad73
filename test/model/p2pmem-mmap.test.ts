/**
 * mmap of the p2pmem allocate file when a vm_insert_page() fails half way
 * (fault injection), and the pgmap reference p2pmem_alloc_mmap() takes:
 * before a1f4dc72efc3 its error path kept it, and a later removal of the
 * provider waited in memunmap_pages() forever. The explorer's removal
 * liveness finds the hang on 6.2 to 6.18 and not on today's kernel.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { removalLiveness } from '../../properties/liveness.ts';
import { removalContradicts } from '../../cli/explore.ts';
import { runCli } from '../cli-in-process.ts';
import { wellFormed } from '../../properties/well-formed.ts';
import { accept, rejectedWith, run } from './helpers.ts';

const worldOf = (id: string): State => makeWorld(designById(id)!.world);
const failing = (npages: number, at: number): Op => ({ kind: 'mmap', mm: 0, npages, backing: { kind: 'p2pmem', bar: 0, insert_fails_at: at } });
const remove: Op = { kind: 'pci_stop_and_remove_bus_device', dev: 0 };

describe('p2pmem_alloc_mmap when vm_insert_page fails', () => {
  it('returns -ENOMEM with every page back in the gen_pool and no VMA; on 6.2 to 6.18 the pgmap keeps the reference the call took', () => {
    const s = worldOf('p2pmem-mmap-6.18');
    const r = accept(s, failing(2, 1));
    expect(r.events).toEqual([{ kind: 'call-failed', op: 'mmap', reason: '-ENOMEM: ->mmap: vm_insert_page of page 1 of 2 failed; the pages inserted before it are unmapped and freed' }]);
    expect(r.state.vmas.size).toBe(0);
    expect(r.state.frames).toBe(s.frames);
    expect(r.state.bars[0]!.pgmapRefs).toBe(1);
    expect(wellFormed(r.state)).toBeNull();
  });

  it("today's kernel drops it on the error path: the call leaves nothing behind", () => {
    const s = worldOf('p2pmem-mmap');
    const r = accept(s, failing(1, 0));
    expect(r.state.bars).toEqual(s.bars);
    expect(r.state.vmas.size).toBe(0);
  });

  it('a page past the length is not one vm_insert_page is called for: ill-formed', () => {
    expect(rejectedWith(worldOf('p2pmem-mmap'), failing(2, 2))).toBe('ill-formed: insert_fails_at 2: p2pmem_alloc_mmap inserts only 2 page(s)');
  });

  it('memunmap_pages waits while the pgmap has a reference no page holds, and only then', () => {
    const leaked = run(worldOf('p2pmem-mmap-6.18'), failing(1, 0), remove).state;
    expect(rejectedWith(leaked, { kind: 'memunmap_pages', dev: 0 })).toBe('waits: the pgmap of device 0 still has 1 reference(s) that no page holds (its percpu_ref is not zero)');
    const clean = run(worldOf('p2pmem-mmap'), failing(1, 0), remove, { kind: 'memunmap_pages', dev: 0 }).state;
    expect(clean.bars[0]!.alive).toBe(false);
  });
});

describe('the removal liveness of the two eras', () => {
  it('6.2 to 6.18: a failed mmap, then the removal: it hangs on one pgmap reference and no page', () => {
    const r = removalLiveness(designById('p2pmem-mmap-6.18')!, 10_000);
    expect(r.kind).toBe('hangs');
    if (r.kind !== 'hangs') return;
    expect(r.trace.map((t) => t.op)).toEqual([failing(1, 0), remove]);
    expect([r.held, r.pgmapRefs]).toEqual([[], 1]);
  });

  it("today's kernel: every removal under way can complete, over the whole reachable space", () => {
    expect(removalLiveness(designById('p2pmem-mmap')!, 10_000)).toMatchObject({ kind: 'completes', complete: true });
  });

  it("each design says what it expects, and explore holds it to that: a hang is a contradiction only where a design does not expect one", () => {
    const old = designById('p2pmem-mmap-6.18')!;
    const today = designById('p2pmem-mmap')!;
    const hang = removalLiveness(old, 10_000);
    const completes = removalLiveness(today, 10_000);
    expect([removalContradicts(old, hang), removalContradicts(today, completes)]).toEqual([false, false]);
    // The same results against the other expectation: each contradicts.
    const { removalHangs: _, ...expectsCompletion } = old;
    expect(removalContradicts(expectsCompletion, hang)).toBe(true);
    expect(removalContradicts({ ...today, removalHangs: 'a hang' }, completes)).toBe(true);
    // In a world smaller than the design's own, an expected hang may lack what it needs: not a contradiction there.
    expect(removalContradicts({ ...today, removalHangs: 'a hang' }, completes, true)).toBe(false);
    const smaller = runCli('explore', '--design', 'p2pmem-mmap-6.18', '--without', 'mmap_p2pmem', '--no-timing');
    expect(smaller.status).toBe(0);
    expect(smaller.stdout).toContain('The design expects a hang in its own world; this smaller world may lack what the hang needs.');
    const r = runCli('explore', '--design', 'p2pmem-mmap-6.18', '--no-timing');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no step can drop the reference (30 states). As the design expects. Shortest trace:');
    const j = JSON.parse(runCli('explore', '--design', 'p2pmem-mmap-6.18', '--json').stdout) as { designs: { providerRemoval: { kind: string; expected: string; asExpected: boolean } }[] };
    expect(j.designs[0]!.providerRemoval).toMatchObject({ kind: 'hangs', expected: 'hangs', asExpected: true });
  });
});
