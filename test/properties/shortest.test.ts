/** Shortest, confirmed: the explorer checks each trace the search found for a shorter one. */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { confirmShortest, shortestNote } from '../../properties/shortest.ts';
import { runCli } from '../cli-in-process.ts';

const dmacheck = runCli;

describe('confirmShortest', () => {
  it('confirms a trace when breadth-first search finishes one step less without a violation', () => {
    const s = confirmShortest(designById('vma-p2p-map')!, 'map-within-vma-lifetime', 3, 10000);
    expect(s.kind).toBe('confirmed');
    expect(shortestNote(s, 3)).toMatch(/^shortest: yes \(explorer, [0-9]+ states\)$/);
  });

  it('finds a shorter trace when the one given is longer than it needs to be', () => {
    const s = confirmShortest(designById('vma-p2p-map')!, 'map-within-vma-lifetime', 6, 10000);
    expect(s.kind).toBe('shorter');
    if (s.kind === 'shorter') {
      expect(s.depth).toBe(3);
      expect(s.trace.map((t) => t.op.kind)).toEqual(['mmap', 'p2p_map', 'device_program', 'munmap']);
    }
  });

  it('says "not confirmed", with the depth it completed, when the state bound cuts the search first', () => {
    const s = confirmShortest(designById('vma-p2p-map-notifier-noretry')!, 'notifier-protocol', 14, 2000);
    expect(s.kind).toBe('unconfirmed');
    if (s.kind === 'unconfirmed') expect(shortestNote(s, 14)).toBe(`shortest: not confirmed (explorer completed depth ${s.depth} of 13, ${s.states} states)`);
  });
});

describe('dmacheck check asks the explorer', () => {
  it('--json carries the answer per violation; --confirm-states 0 leaves it out; a bad value is one line, exit 2', () => {
    const r = dmacheck('check', '--design', 'vma-p2p-map', '--invariant', 'map-within-vma-lifetime', '--json');
    const v = (JSON.parse(r.stdout) as { results: { shortest?: { confirmed: boolean; by: string } }[] }).results[0]!;
    expect(v.shortest).toMatchObject({ confirmed: true, by: 'explorer' });
    const off = dmacheck('check', '--design', 'vma-p2p-map', '--invariant', 'map-within-vma-lifetime', '--json', '--confirm-states', '0');
    expect((JSON.parse(off.stdout) as { results: { shortest?: unknown }[] }).results[0]!.shortest).toBeUndefined();
    const bad = dmacheck('check', '--confirm-states', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("dmacheck: --confirm-states: expected a whole number from 0 to 10000000, got 'lots'");
  });
});
