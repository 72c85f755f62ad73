/**
 * Hash compaction (properties/explorer/fingerprints.ts): the explorer with
 * 53-bit fingerprints of the visited states finds what the exact explorer
 * finds, on worlds small enough to explore both ways, and stores less.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { exploreDesign } from '../../properties/explore-dma.ts';
import { collisionProbability, FingerprintTable, fingerprint } from '../../properties/explorer/fingerprints.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { invariantById } from '../../properties/registry.ts';

const all = invariantIds.map(invariantById);

describe('fingerprints', () => {
  it('are 53-bit whole numbers, the same for the same key, different for 100,000 different keys', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const f = fingerprint(`M0:${i}:V1@0-${i % 7}`);
      expect(Number.isSafeInteger(f) && f >= 0).toBe(true);
      seen.add(f);
    }
    expect(seen.size).toBe(100_000);
    expect(fingerprint('abc')).toBe(fingerprint('abc'));
    expect(fingerprint('abc')).not.toBe(fingerprint('abd'));
  });

  it('the table gives each fingerprint one id, across its growth', () => {
    const t = new FingerprintTable();
    const fps = Array.from({ length: 50_000 }, (_, i) => fingerprint(`state ${i}`));
    fps.forEach((f, i) => expect(t.idOf(f, t.size)).toEqual({ id: i, added: true }));
    fps.forEach((f, i) => expect(t.idOf(f, t.size)).toEqual({ id: i, added: false }));
    expect(t.size).toBe(50_000);
    expect(t.bytes).toBeLessThanOrEqual(4 * 12 * 50_000);
  });

  it('the collision bound is the birthday bound over 2^53', () => {
    expect(collisionProbability(1)).toBe(0);
    expect(collisionProbability(272_768)).toBeCloseTo((272_768 * 272_767) / 2 / 2 ** 53, 12);
  });
});

describe('the explorer with fingerprints against the exact one', () => {
  it('p2pdma-page-sgl, explored whole: the same states, transitions, depth and shortest violations', () => {
    const d = designById('p2pdma-page-sgl')!;
    const exact = exploreDesign(d, all, { maxStates: 5000 });
    const fp = exploreDesign(d, all, { maxStates: 5000 }, 'fingerprint');
    expect(fp.result.complete).toBe(true);
    expect([fp.result.states, fp.result.transitions, fp.result.maxDepth]).toEqual([exact.result.states, exact.result.transitions, exact.result.maxDepth]);
    expect(fp.violations.map((v) => [v.invariant, v.depth, v.message])).toEqual(exact.violations.map((v) => [v.invariant, v.depth, v.message]));
    expect(exact.collisionProbability).toBeUndefined();
    expect(fp.collisionProbability).toBeLessThan(1e-9);
  });

  it('vma-p2p-map-notifier-hmm-literal in the munmap-race world: the same 16-step race after as many states, in a fraction of the bytes', () => {
    const d = designById('vma-p2p-map-notifier-hmm-literal')!;
    const without = new Set(['mprotect', 'mremap', 'exit_mmap', 'fork', 'pci_stop_and_remove_bus_device', 'device_write', 'device_read', 'release(stop, p2p_unmap, forget)', 'mmu_interval_notifier_remove']);
    const small = { ...d, environment: d.environment.filter((t) => !without.has(t.name)), driver: d.driver.filter((t) => !without.has(t.name)) };
    const inv = [invariantById('map-within-vma-lifetime')];
    const opts = { maxStates: 20_000, stopAtFirstViolation: true };
    const exact = exploreDesign(small, inv, opts);
    const fp = exploreDesign(small, inv, opts, 'fingerprint');
    expect([fp.result.states, fp.violations[0]?.depth]).toEqual([exact.result.states, 16]);
    expect(fp.violations[0]!.trace.map((t) => t.op)).toEqual(exact.violations[0]!.trace.map((t) => t.op));
    expect(fp.bytesPerState).toBeLessThan(exact.bytesPerState / 3);
  });
});
