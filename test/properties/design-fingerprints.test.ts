/**
 * Fingerprints of every design's state space near its initial state, and of
 * a short fixed-seed search: the exact numbers the explorer and the search
 * give today. Each design takes milliseconds, so these run in the mutation
 * selection (vitest.mutate.config.ts) where the full searches of
 * designs.test.ts cannot: a mutant of an operation, a step template, the
 * canonical key, the explorer or the search that changes what any step of
 * any design does changes a fingerprint.
 *
 * The transcript digest hashes every transition of the first states in
 * breadth-first order: the template, each kernel call, its events and the
 * canonical key of the state it leads to. The readable parts (states,
 * transitions, options per template, shortest violations, exercised counts)
 * say what moved. A deliberate change of the model changes them too: check
 * the new numbers make sense, then `npx vitest run -u` this file.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Design } from '../../model/designs/design.ts';
import { designById, designs } from '../../model/designs/index.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { canonicalKey } from '../../properties/canonical.ts';
import { enabledActions, exploreDesign } from '../../properties/explore-dma.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { removalLiveness } from '../../properties/liveness.ts';
import { invariantById, invariants } from '../../properties/registry.ts';
import { search } from '../../properties/search.ts';
import { situationById, situations } from '../../properties/situations.ts';
import { formatOp } from '../../properties/trace.ts';
import { verdictsFor } from '../../properties/verdicts.ts';
import { findWitness } from '../../properties/witness.ts';

/** States per design: enough to reach every template's first options, few enough for milliseconds. */
const STATES = 80;
/** States per design and situation for the witnesses and the liveness. */
const WITNESS_STATES = 40;

interface Transcript {
  readonly states: number;
  readonly transitions: number;
  /** Enabled options per template, over all expanded states. */
  readonly options: Readonly<Record<string, number>>;
  readonly digest: string;
}

/** Breadth-first over canonical keys, like the explorer, hashing every transition of the first `max` states. */
const transcript = (d: Design, max: number): Transcript => {
  const hash = createHash('sha256');
  const ids = new Map<string, number>();
  const queue: State[] = [];
  const options: Record<string, number> = {};
  let transitions = 0;
  const start = makeWorld(d.world);
  ids.set(canonicalKey(start), 0);
  queue.push(start);
  for (let i = 0; i < queue.length; i++) {
    for (const a of enabledActions(d, queue[i]!)) {
      transitions++;
      options[a.template] = (options[a.template] ?? 0) + 1;
      const next = a.calls[a.calls.length - 1]!.step.state;
      const key = canonicalKey(next);
      let id = ids.get(key);
      if (id === undefined && queue.length < max) {
        id = queue.length;
        ids.set(key, id);
        queue.push(next);
      }
      const calls = a.calls.map((c) => `${formatOp(c.op)} ${JSON.stringify(c.step.events)}`).join(' | ');
      hash.update(`${i} ${a.template}: ${calls} -> ${id ?? 'cut'} ${key}\n`);
    }
  }
  return { states: queue.length, transitions, options, digest: hash.digest('hex').slice(0, 16) };
};

describe('the explorer near each design\'s initial state', () => {
  for (const d of designs) {
    it(`${d.id}: the first ${STATES} states, their transitions, shortest violations and exercised counts`, () => {
      const e = exploreDesign(d, invariants, { maxStates: STATES });
      expect({
        states: e.result.states,
        transitions: e.result.transitions,
        maxDepth: e.result.maxDepth,
        complete: e.result.complete,
        deadlocks: e.result.deadlocks,
        stoppedBy: e.result.stoppedBy,
        violations: e.violations.map((v) => ({ invariant: v.invariant, depth: v.depth, message: v.message, trace: v.trace.map((t) => formatOp(t.op)) })),
        exercised: Object.fromEntries([...e.exercised].sort(([a], [b]) => a.localeCompare(b))),
      }).toMatchSnapshot();
      expect(transcript(d, STATES)).toMatchSnapshot();
    });
  }

  it('p2pdma-page-sgl explores to exhaustion: 163 states, 1395 transitions, depth 15, one deadlock, no-cpu-iomem violated in 3 steps', () => {
    const e = exploreDesign(designById('p2pdma-page-sgl')!, invariants, { maxStates: 1000 });
    expect([e.result.states, e.result.transitions, e.result.maxDepth, e.result.complete, e.result.deadlocks]).toEqual([163, 1395, 15, true, 1]);
    expect(e.violations.map((v) => [v.invariant, v.depth])).toEqual([['no-cpu-iomem', 3]]);
  });
});

describe('a short search at a fixed seed', () => {
  for (const d of designs) {
    it(`${d.id}: seed 1, 150 runs of at most 20 commands`, () => {
      const r = search(d, invariants, { seed: 1, runs: 150, maxCommands: 20 });
      expect({
        found:
          r.found === null
            ? null
            : { invariant: r.found.violation.invariant, message: r.found.violation.message, moves: r.found.moves.length, trace: r.found.trace.map((t) => formatOp(t.op)) },
        runs: r.runs,
        path: r.path,
        calls: r.calls,
        exercised: Object.fromEntries([...r.exercised].sort(([a], [b]) => a.localeCompare(b))),
      }).toMatchSnapshot();
    });
  }
});

describe('replaying a search from its path', () => {
  it('dma-only-sgl: the path of seed 1 replays that one run to the same shrunk violation; a path that fails nowhere is an error', () => {
    const d = designById('dma-only-sgl')!;
    const first = search(d, invariants, { seed: 1, runs: 150, maxCommands: 20 });
    expect(first.path).toBe('47:8:6:1:3:3:3@BDABHU:q');
    const again = search(d, invariants, { seed: 1, runs: 150, maxCommands: 20, path: first.path! });
    // It runs only that run, and says which run of the search it was (the path's first index, 47, is run 48).
    expect([again.runs, first.runs]).toEqual([48, 48]);
    expect(again.path).toBe(first.path);
    expect(again.found!.trace.map((t) => formatOp(t.op))).toEqual(first.found!.trace.map((t) => formatOp(t.op)));
    expect(again.found!.violation).toEqual(first.found!.violation);
    const p2p = designById('p2pdma-page-sgl')!;
    expect(() => search(p2p, [invariantById('provider-removal')], { seed: 1, runs: 150, maxCommands: 20, path: '0' })).toThrow('the replay path did not lead to a failing run');
  });
});

describe('witnesses and the liveness of provider removal near each design\'s initial state', () => {
  for (const x of situations) {
    it(`${x.id}: where each design first reaches it within ${WITNESS_STATES} states`, () => {
      const where = designs.map((d) => {
        const w = findWitness(d, x, { maxStates: WITNESS_STATES });
        return w.kind === 'reached'
          ? `${d.id}: reached at depth ${w.depth} after ${w.states} states: ${w.trace.map((t) => formatOp(t.op)).join('; ')}`
          : `${d.id}: not reached, depth ${w.depth}${w.complete ? ' (complete)' : ''}, ${w.states} states`;
      });
      expect(where).toMatchSnapshot();
    });
  }

  it('p2pdma-page-sgl: a witness not reached says whether the whole space was explored, and the depth it completed', () => {
    const d = designById('p2pdma-page-sgl')!;
    const reclaim = situationById('reclaim-of-pinned-page')!;
    expect(findWitness(d, reclaim, { maxStates: 1000 })).toEqual({ kind: 'not-reached', complete: true, depth: 15, states: 163 });
    expect(findWitness(d, reclaim, { maxStates: 1000, maxDepth: 3 })).toEqual({ kind: 'not-reached', complete: false, depth: 3, states: 14 });
    expect(findWitness(d, reclaim, { maxStates: 50 })).toEqual({ kind: 'not-reached', complete: false, depth: 5, states: 50 });
    const walk = situationById('cpu-walk-of-bar-page')!;
    expect(findWitness(d, walk, { maxStates: 1000, maxDepth: 2 })).toEqual({ kind: 'not-reached', complete: false, depth: 2, states: 7 });
    const w = findWitness(d, walk, { maxStates: 1000 });
    expect(w.kind === 'reached' && [w.depth, w.states, w.trace.map((t) => formatOp(t.op))]).toEqual([
      3,
      13,
      ['pci_alloc_p2pmem(bar=0)', 'sg_alloc_table(nents=1)', 'sg_set_page(sgl=1, index=0, page=6)', 'sg_copy_to_buffer(sgl=1)'],
    ]);
  });

  it(`removal liveness of every design within ${WITNESS_STATES} states`, () => {
    expect(designs.map((d) => [d.id, removalLiveness(d, WITNESS_STATES)])).toMatchSnapshot();
  });
});

describe('verdicts from a short search', () => {
  it('dma-api-misuse, seed 1, 150 runs: each violation searched for again without the ones already found', () => {
    const v = verdictsFor(designById('dma-api-misuse')!, invariantIds, { seed: 1, runs: 150, maxCommands: 20 });
    expect(v.map((x) => [x.invariant, x.verdict, x.expected, x.runs, x.budget, x.searched.length, x.exercised, x.violation?.moves ?? null, x.violation?.path ?? null])).toMatchSnapshot();
  });
});
