/**
 * Process symmetry (properties/canonical.ts): the explorer's key ranks
 * processes by what they hold, so two states that differ only in which
 * process holds what are one state. It is sound only where every op,
 * template and invariant treats processes alike; these tests hold the
 * reduction to that: mirror states get one key and the same successors,
 * and whole explorations with and without it give the same verdicts and
 * shortest traces, fewer states where a world has two processes and the
 * same counts where it has one.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { chooseWorld, inWorld } from '../../model/designs/world-choice.ts';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { enabledActions, exploreDesign } from '../../properties/explore-dma.ts';
import { invariants } from '../../properties/registry.ts';
import { designWorld, lastId, run } from '../model/helpers.ts';

const bar = (mm: number): Op => ({ kind: 'mmap', mm, npages: 2, backing: { kind: 'bar', bar: 0 } });

/** After fork, process `mm` maps two pages of the BAR, subscribes a notifier over them and starts the importer's map path. */
const mapsAfterFork = (mm: number): State => {
  const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'fork', mm: 0 }, bar(mm), { kind: 'mmu_interval_notifier_insert', mm, start: 0, npages: 2, owner: 1 });
  return run(s1, { kind: 'driver_map_range', dev: 1, notifier: lastId(s1.notifiers) }).state;
};

/** The successors' keys of `s`, as a sorted list (the multiset of next states). */
const successorKeys = (s: State): ReadonlyArray<string> =>
  enabledActions(designById('vma-p2p-map-notifier')!, s)
    .map((a) => canonicalKey(a.calls[a.calls.length - 1]!.step.state))
    .sort();

describe('process symmetry in the state key', () => {
  const parent = mapsAfterFork(0);
  const child = mapsAfterFork(1);

  it('fork, then the parent or the child maps the BAR under a notifier with a map path running: one state with it, two without', () => {
    expect([...parent.vmas.values()].map((v) => v.mm)).toEqual([0]);
    expect([...child.vmas.values()].map((v) => v.mm)).toEqual([1]);
    expect(canonicalKey(child)).toBe(canonicalKey(parent));
    expect(canonicalKey(child, false)).not.toBe(canonicalKey(parent, false));
  });

  it('the two mirror states have the same next states: every template offers each process the same steps', () => {
    const keys = successorKeys(parent);
    expect(keys.length).toBeGreaterThan(10);
    expect(successorKeys(child)).toEqual(keys);
  });

  it('still tells apart what differs between processes: the BAR in one and the notifier over the other, against both in one', () => {
    const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'fork', mm: 0 }, bar(0), { kind: 'mmu_interval_notifier_insert', mm: 1, start: 0, npages: 2, owner: 1 });
    const split = run(s1, { kind: 'driver_map_range', dev: 1, notifier: lastId(s1.notifiers) }).state;
    expect(canonicalKey(split)).not.toBe(canonicalKey(parent));
    expect(canonicalKey(split)).not.toBe(canonicalKey(child));
  });
});

const complete = chooseWorld('complete', {}, []);
if (complete._tag === 'Left') throw new Error(complete.left);

/** Each violation found and the length of its shortest trace, with or without the reduction. */
const explored = (id: string, processSymmetry: boolean) => {
  const e = exploreDesign(inWorld(designById(id)!, complete.right), invariants, { maxStates: 100_000, processSymmetry });
  return {
    complete: e.result.complete,
    states: e.result.states,
    transitions: e.result.transitions,
    shortest: e.violations.map((v) => `${v.invariant}:${v.depth}`).sort(),
  };
};

describe('exploring with and without process symmetry', () => {
  // Every complete world of up to 200,000 states is compared the same way by `npm run bench`
  // (bench/complete-worlds.ts); the flag's plumbing is in test/cli.test.ts.
  it('pin-fork-gup-fast-5.10 in its complete world (fork makes two processes): the same violations at the same shortest lengths, fewer states', () => {
    const on = explored('pin-fork-gup-fast-5.10', true);
    const off = explored('pin-fork-gup-fast-5.10', false);
    expect(on.complete && off.complete).toBe(true);
    expect(on.shortest).toEqual(['isolation:6', 'pin-coherent:7']);
    expect(on.shortest).toEqual(off.shortest);
    expect(on.states).toBeLessThan(off.states * 0.75);
  });

  it('p2pdma-page-sgl in its complete world (one process, no fork): the same states and transitions both ways', () => {
    const on = explored('p2pdma-page-sgl', true);
    const off = explored('p2pdma-page-sgl', false);
    expect(on.complete).toBe(true);
    expect(on).toEqual(off);
  });
});
