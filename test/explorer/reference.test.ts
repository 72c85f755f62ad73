import { describe, expect, it } from 'vitest';
import { ReferenceModel, parseSize, type RefState } from '../../bench/reference/model.ts';
import { explore, traceNames, type ExplorableModel, type IncrementalModel } from '../../properties/explorer/engine.ts';

/**
 * The mutation selection (vitest.mutate.config.ts sets DMACHECK_MUTATE) keeps
 * the sizes that explore in milliseconds: Stryker reruns each covering test
 * per mutant, and the 4-3-2-3 and 5-3-2-3 rows take seconds.
 */
const SMALL_ONLY = process.env.DMACHECK_MUTATE === '1';
const small = <T extends { size: string }>(rows: T[]): T[] => (SMALL_ONLY ? rows.filter((r) => r.size === '3-2-2-2') : rows);

/** The spec's tables (shared bench reference-model.md), small sizes. */
const fixedTable = small([
  { size: '3-2-2-2', states: 1_288, edges: 9_606, depth: 13 },
  { size: '4-3-2-3', states: 66_824, edges: 771_314, depth: 19 },
  { size: '5-3-2-3', states: 129_172, edges: 1_516_050, depth: 20 },
]);
const buggyTable = small([
  { size: '3-2-2-2', states: 3_232, edges: 30_192 },
  { size: '4-3-2-3', states: 294_272, edges: 4_135_040 },
  { size: '5-3-2-3', states: 588_544, edges: 8_564_352 },
]);

const model = (size: string, buggy: boolean): ReferenceModel => new ReferenceModel(parseSize(size), buggy);

/** Replays a trace with the literal `next`; returns the last pre-state, action and post-state. */
const replay = (m: ReferenceModel, trace: ReadonlyArray<number>): { s: RefState; a: number; t: RefState } => {
  let s = m.initial();
  let last: { s: RefState; a: number; t: RefState } | null = null;
  for (const a of trace) {
    const t = m.next(s, a);
    if (t === null) throw new Error(`${m.actionName(a)} not enabled`);
    last = { s, a, t };
    s = t;
  }
  if (last === null) throw new Error('empty trace');
  return last;
};

describe('reference model: fixed design', () => {
  for (const row of fixedTable) {
    it(`${row.size}: ${row.states} states, ${row.edges} edges, max BFS depth ${row.depth}`, () => {
      const r = explore(model(row.size, false));
      expect({ states: r.states, edges: r.transitions, depth: r.maxDepth }).toEqual({ states: row.states, edges: row.edges, depth: row.depth });
      expect(r.complete).toBe(true);
      expect(r.stoppedBy).toBeNull();
      expect(r.deadlocks).toBe(0);
      expect(r.violations.size).toBe(0);
    });
  }
});

describe('reference model: buggy design', () => {
  for (const row of buggyTable) {
    it(`${row.size}: ${row.states} states, ${row.edges} edges, shortest I1 = 2, I2 = 3, I3 = 4`, () => {
      const m = model(row.size, true);
      const r = explore(m);
      expect({ states: r.states, edges: r.transitions }).toEqual({ states: row.states, edges: row.edges });
      expect(r.complete).toBe(true);
      expect(r.deadlocks).toBe(0);
      const lengths = Object.fromEntries([...r.violations].map(([id, v]) => [id, v.depth]));
      expect(lengths).toEqual({ I1: 2, I2: 3, I3: 4 });
      for (const [id, v] of r.violations) {
        expect(v.trace.length).toBe(v.depth);
        const { s, a, t } = replay(m, v.trace);
        expect(m.violations(s, a, t)).toContain(id);
      }
    });
  }

  it('prints the first shortest traces in action order', () => {
    const m = model('3-2-2-2', true);
    const r = explore(m);
    const names = (id: string): string[] => traceNames(m, r.violations.get(id)?.trace ?? []);
    expect(names('I1')).toEqual(['p2p_map(0)', 'cpu_touch(0)']);
    expect(names('I2')).toEqual(['mmap(0)', 'pin(0,0)', 'munmap(0)']);
    expect(names('I3')).toEqual(['mmap(0)', 'pin(0,1)', 'dma_write(0)', 'unpin(0)']);
  });
});

describe('reference model: the literal (generic) path agrees with the incremental one', () => {
  const cases: Array<[string, boolean, number, number]> = [
    ['3-2-2-2', false, 1_288, 9_606],
    ['3-2-2-2', true, 3_232, 30_192],
    ['4-3-2-3', false, 66_824, 771_314],
  ];
  for (const [size, buggy, states, edges] of cases.filter(([size]) => !SMALL_ONLY || size === '3-2-2-2')) {
    it(`${size} ${buggy ? 'buggy' : 'fixed'}`, () => {
      const r = explore(model(size, buggy), { generic: true });
      expect({ states: r.states, edges: r.transitions }).toEqual({ states, edges });
      expect([...r.violations.keys()].sort()).toEqual(buggy ? ['I1', 'I2', 'I3'] : []);
    });
  }
});

describe('bounds and stops', () => {
  it('a depth bound that cuts gives complete = false', () => {
    const r = explore(model('3-2-2-2', false), { maxDepth: 5 });
    expect(r.complete).toBe(false);
    expect(r.stoppedBy).toBe('maxDepth');
    expect(r.maxDepth).toBe(5);
    expect(r.states).toBeLessThan(1_288);
    const g = explore(model('3-2-2-2', false), { maxDepth: 5, generic: true });
    expect([g.states, g.transitions, g.complete]).toEqual([r.states, r.transitions, false]);
  });

  it('a depth bound at or past the max depth does not cut', () => {
    for (const maxDepth of [13, 14]) {
      const r = explore(model('3-2-2-2', false), { maxDepth });
      expect([r.states, r.complete]).toEqual([1_288, true]);
    }
    expect(explore(model('3-2-2-2', false), { maxDepth: 12 }).complete).toBe(false);
  });

  it('a state bound gives complete = false', () => {
    const r = explore(model('3-2-2-2', false), { maxStates: 100 });
    expect([r.states, r.complete, r.stoppedBy]).toEqual([100, false, 'maxStates']);
    expect(explore(model('3-2-2-2', false), { maxStates: 1_288 }).complete).toBe(true);
  });

  it('stops at the first violation, or at the first of chosen ids', () => {
    const any = explore(model('3-2-2-2', true), { stopAtFirstViolation: true });
    expect([any.complete, any.stoppedBy, [...any.violations.keys()]]).toEqual([false, 'violation', ['I1']]);
    const i3 = explore(model('3-2-2-2', true), { stopAtFirstViolation: new Set(['I3']) });
    expect(i3.stoppedBy).toBe('violation');
    expect(Object.fromEntries([...i3.violations].map(([id, v]) => [id, v.depth]))).toEqual({ I1: 2, I2: 3, I3: 4 });
  });
});

/** A counter modulo n: `inc` (x+1 mod n, violation 'wrap' from n-1), `reset` (x := 0). */
const counter = (n: number): ExplorableModel<number> => ({
  actionCount: 2,
  initial: () => 0,
  encode: (s) => s,
  decode: (k) => k,
  next: (s, a) => (a === 0 ? (s + 1) % n : 0),
  violations: (s, a) => (a === 0 && s === n - 1 ? ['wrap'] : []),
  actionName: (a) => (a === 0 ? 'inc' : 'reset'),
});

/** The same counter, saturating at n (inc disabled there, no reset): one deadlock. */
const saturating = (n: number): IncrementalModel<number> => ({
  actionCount: 1,
  initial: () => 0,
  encode: (s) => s,
  decode: (k) => k,
  scratch: () => 0,
  decodeInto: () => undefined,
  next: (s) => (s < n ? s + 1 : null),
  nextKey: (k) => (k < n ? k + 1 : -1),
  violations: () => [],
  stepViolations: () => [],
  actionName: () => 'inc',
});

describe('tiny hand-written models', () => {
  it('counter modulo 10: 10 states, 20 edges, depth 9, the wrap found at length 10', () => {
    const r = explore(counter(10));
    expect({ states: r.states, edges: r.transitions, depth: r.maxDepth, deadlocks: r.deadlocks, complete: r.complete }).toEqual({
      states: 10,
      edges: 20,
      depth: 9,
      deadlocks: 0,
      complete: true,
    });
    expect(r.violations.get('wrap')).toEqual({ depth: 10, trace: Array.from({ length: 10 }, () => 0) });
    expect(r.bytesPerState).toBeGreaterThan(0);
  });

  it('saturating counter (incremental, nextKey only): n + 1 states, n edges, one deadlock at depth n', () => {
    const r = explore(saturating(1000));
    expect([r.states, r.transitions, r.maxDepth, r.deadlocks, r.complete]).toEqual([1001, 1000, 1000, 1, true]);
    expect(r.firstDeadlock?.length).toBe(1000);
    const g = explore(saturating(1000), { generic: true });
    expect([g.states, g.transitions, g.deadlocks]).toEqual([1001, 1000, 1]);
  });

  it('a deadlock at the depth bound is counted, and an uncut bound leaves it complete', () => {
    const r = explore(saturating(5), { maxDepth: 5 });
    expect([r.states, r.deadlocks, r.complete]).toEqual([6, 1, true]);
    const cut = explore(saturating(5), { maxDepth: 4 });
    expect([cut.states, cut.deadlocks, cut.complete]).toEqual([5, 0, false]);
  });

  it('grows past the initial capacities (keys spread over 2**52)', () => {
    const n = 20_000;
    const spread = 2 ** 52 / n;
    const m: ExplorableModel<number> = {
      actionCount: 2,
      initial: () => 0,
      encode: (s) => Math.floor(s * spread),
      decode: (k) => Math.round(k / spread),
      next: (s, a) => (a === 0 ? (s + 1) % n : (s * 7 + 3) % n),
      violations: () => [],
      actionName: (a) => String(a),
    };
    const r = explore(m);
    expect([r.states, r.transitions, r.complete]).toEqual([n, 2 * n, true]);
  });
});
