/** `dmacheck witness`: shortest traces that reach a named situation, and the list of what is reachable. */
import { describe, expect, it } from 'vitest';
import { designById } from '../model/designs/index.ts';
import { situationById, situations } from '../properties/situations.ts';
import { invariantIds } from '../properties/invariant.ts';
import { findWitness } from '../properties/witness.ts';
import { runCli } from './cli-in-process.ts';

const dmacheck = runCli;

const smaller = ['fork', 'exit_mmap', 'pci_stop_and_remove_bus_device', 'device_read', 'mmu_interval_notifier_remove', 'release(stop, p2p_unmap, forget)'].flatMap((w) => ['--without', w]);

describe('situations', () => {
  it('every invariant names at least one situation, and its first one is what its exercised count counts', () => {
    for (const id of invariantIds) expect(situations.filter((x) => x.invariant === id).length, id).toBeGreaterThanOrEqual(1);
    expect(new Set(situations.map((x) => x.id)).size).toBe(situations.length);
  });

  it('reclaim really meets a pinned page in today\'s pin_user_pages world, and the shortest trace ends in that reclaim', () => {
    const w = findWitness(designById('pin-user-pages')!, situationById('reclaim-of-pinned-page')!, { maxStates: 20000 });
    expect(w.kind).toBe('reached');
    if (w.kind === 'reached') {
      expect(w.trace.at(-1)!.op.kind).toBe('reclaim');
      expect(w.trace.some((t) => t.op.kind === 'pin_user_pages')).toBe(true);
    }
  });

  it('a situation the design cannot reach is reported with its bound, not as reached', () => {
    const w = findWitness(designById('vma-p2p-map')!, situationById('reclaim-of-pinned-page')!, { maxStates: 500 });
    expect(w.kind).toBe('not-reached');
    if (w.kind === 'not-reached') expect(w.states).toBeGreaterThan(0);
  });
});

describe('dmacheck witness', () => {
  it('shows that the notifier callback really runs during munmap, before the VMA goes: a shortest trace in text within 72 columns', () => {
    const r = dmacheck('witness', '--design', 'vma-p2p-map-notifier', '--reach', 'callback-before-munmap-completes', ...smaller, '--max-states', '20000');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dmacheck witness: vma-p2p-map-notifier reaches');
    expect(r.stdout).toMatch(/ 3\. munmap\(mm=0, start=0, npages=1\)\n +-> invalidate_range_start \(MMU_NOTIFY_UNMAP\)/);
    expect(r.stdout).toContain('invalidate_callback_return(notifier=2, ret=true, by=4)');
    expect(r.stdout).not.toContain('vma 1 destroyed');
    for (const l of r.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(72);
    expect(r.stdout).toContain('Replay:\n  npx dmacheck witness --design vma-p2p-map-notifier');
  });

  it('the same witness as JSON and as markdown', () => {
    const json = dmacheck('witness', '--design', 'vma-p2p-map-notifier', '--reach', 'callback-invoked', '--format', 'json');
    expect(json.status).toBe(0);
    const w = JSON.parse(json.stdout) as { reached: boolean; depth: number; steps: { op: string }[] };
    expect(w.reached).toBe(true);
    expect(w.steps.map((s) => s.op)).toEqual(['mmap', 'mmu_interval_notifier_insert', 'munmap']);
    const md = dmacheck('witness', '--design', 'vma-p2p-map-notifier', '--reach', 'callback-invoked', '--format', 'markdown');
    expect(md.stdout).toContain('| 3 | `munmap(mm=0, start=0, npages=1)` |');
    expect(md.stdout).toContain('**<- reaches `callback-invoked`**');
  });

  it('without --reach lists every situation and whether it is reached within the bound', () => {
    const r = dmacheck('witness', '--design', 'vma-p2p-map', '--max-states', '500');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vma-destroyed-under-mapping +map-within-vma-lifetime +reached: shortest trace 3 step\(s\)/);
    expect(r.stdout).toMatch(/reclaim-of-pinned-page +correct-dirtying +not reached up to depth [0-9]+ \(500 states; bound reached\)/);
    expect(r.stdout.split('\n').filter((l) => / (reached|not reached|unreachable)/.test(l))).toHaveLength(situations.length);
  });

  it('a situation that is not reached exits 1; an unknown one, or a missing --design, is one line and exit 2', () => {
    expect(dmacheck('witness', '--design', 'vma-p2p-map', '--reach', 'reclaim-of-pinned-page', '--max-states', '300').status).toBe(1);
    const unknown = dmacheck('witness', '--design', 'vma-p2p-map', '--reach', 'nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("--reach: unknown situation 'nope'");
    const none = dmacheck('witness', '--reach', 'callback-invoked');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('witness takes exactly one --design, got 0');
  });
});
