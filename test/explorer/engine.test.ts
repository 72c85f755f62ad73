/**
 * The explorer engine on tiny hand-written models, exact counts: the
 * incremental path with and without batch successors and mayViolate, the
 * self-loop, the frontier at a depth bound, the per-level callback, the
 * argument checks.
 */
import { describe, expect, it } from 'vitest';
import { explore, isIncremental, type ExplorableModel, type IncrementalModel } from '../../properties/explorer/engine.ts';

/**
 * A ring of n states, incremental: action 0 goes to (k + 1) mod n, action 1
 * stays (a self-loop), action 2 only from 0 (to 1). Violation 'three' on
 * every edge into 3 by action 0; 'self' on the self-loop at n - 1.
 */
const ring = (n: number, opts: { batch?: boolean; mayViolate?: (a: number) => boolean } = {}): IncrementalModel<{ k: number }> => {
  const next = (k: number, a: number): number => (a === 0 ? (k + 1) % n : a === 1 ? k : k === 0 ? 1 : -1);
  const m: IncrementalModel<{ k: number }> = {
    actionCount: 3,
    initial: () => ({ k: 0 }),
    encode: (s) => s.k,
    decode: (k) => ({ k }),
    next: (s, a) => {
      const k = next(s.k, a);
      return k < 0 ? null : { k };
    },
    violations: (s, a) => (a === 0 && (s.k + 1) % n === 3 ? ['three'] : a === 1 && s.k === n - 1 ? ['self'] : []),
    actionName: (a) => ['step', 'stay', 'jump'][a]!,
    scratch: () => ({ k: -1 }),
    decodeInto: (k, s) => {
      s.k = k;
    },
    nextKey: (k, _s, a) => next(k, a),
    stepViolations: (s, a, k) => (a === 0 && k === 3 ? ['three'] : a === 1 && s.k === n - 1 ? ['self'] : []),
  };
  const withBatch: IncrementalModel<{ k: number }> =
    opts.batch === true
      ? {
          ...m,
          successorKeys: (k, _s, out) => {
            for (let a = 0; a < 3; a++) out[a] = next(k, a);
          },
        }
      : m;
  return opts.mayViolate === undefined ? withBatch : { ...withBatch, mayViolate: opts.mayViolate };
};

describe('the incremental path', () => {
  it('a ring of 6: 6 states, 13 transitions (12 plus the jump), violations at their shortest in action order, no deadlock', () => {
    for (const batch of [false, true]) {
      const r = explore(ring(6, { batch }));
      expect([r.states, r.transitions, r.maxDepth, r.complete, r.stoppedBy, r.deadlocks, r.firstDeadlock]).toEqual([6, 13, 5, true, null, 0, null]);
      expect(Object.fromEntries(r.violations)).toEqual({ three: { depth: 3, trace: [0, 0, 0] }, self: { depth: 6, trace: [0, 0, 0, 0, 0, 1] } });
    }
  });

  it('the generic path agrees, self-loops included', () => {
    const g = explore(ring(6), { generic: true });
    expect([g.states, g.transitions, g.maxDepth]).toEqual([6, 13, 5]);
    expect(Object.fromEntries(g.violations)).toEqual({ three: { depth: 3, trace: [0, 0, 0] }, self: { depth: 6, trace: [0, 0, 0, 0, 0, 1] } });
  });

  it('mayViolate leaves the actions it excludes unchecked', () => {
    const r = explore(ring(6, { mayViolate: (a) => a === 0 }));
    expect([...r.violations.keys()]).toEqual(['three']);
    const none = explore(ring(6, { mayViolate: () => false }));
    expect(none.violations.size).toBe(0);
  });

  it('stops at the first violation of a chosen id, and not at others', () => {
    const r = explore(ring(6), { stopAtFirstViolation: new Set(['self']) });
    expect([r.stoppedBy, r.complete, [...r.violations.keys()]]).toEqual(['violation', false, ['three', 'self']]);
    const t = explore(ring(6), { stopAtFirstViolation: new Set(['three']) });
    expect([t.stoppedBy, t.states, [...t.violations.keys()]]).toEqual(['violation', 3, ['three']]);
    const off = explore(ring(6), { stopAtFirstViolation: false });
    expect([off.stoppedBy, off.states]).toEqual([null, 6]);
  });

  it('a depth bound: the frontier level is stored, not expanded; cut only where a successor is new', () => {
    const cut = explore(ring(6), { maxDepth: 2 });
    expect([cut.states, cut.transitions, cut.complete, cut.stoppedBy, cut.maxDepth]).toEqual([3, 5, false, 'maxDepth', 2]);
    expect(explore(ring(3), { maxDepth: 2 })).toMatchObject({ states: 3, complete: true, stoppedBy: null, deadlocks: 0 });
    expect(explore(ring(3), { maxDepth: 2, generic: true })).toMatchObject({ states: 3, complete: true, stoppedBy: null, deadlocks: 0 });
    const whole = explore(ring(6), { maxDepth: 5 });
    expect([whole.states, whole.complete, whole.stoppedBy]).toEqual([6, true, null]);
    const g = explore(ring(6), { maxDepth: 2, generic: true });
    expect([g.states, g.transitions, g.complete, g.stoppedBy]).toEqual([3, 5, false, 'maxDepth']);
  });

  it('a state bound stops at exactly that many states, and a full space under the bound is complete', () => {
    const r = explore(ring(6), { maxStates: 4 });
    expect([r.states, r.complete, r.stoppedBy]).toEqual([4, false, 'maxStates']);
    const g = explore(ring(6), { maxStates: 4, generic: true });
    expect([g.states, g.complete, g.stoppedBy]).toEqual([4, false, 'maxStates']);
    expect(explore(ring(6), { maxStates: 6 })).toMatchObject({ states: 6, complete: true, stoppedBy: null });
  });

  it('onLevel is told each completed level', () => {
    const levels: Array<[number, number]> = [];
    explore(ring(4), { onLevel: ({ depth, states }) => levels.push([depth, states]) });
    expect(levels).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  it('isIncremental needs all four of nextKey, decodeInto, scratch and stepViolations', () => {
    const m = ring(3);
    expect(isIncremental(m)).toBe(true);
    for (const drop of ['nextKey', 'decodeInto', 'scratch', 'stepViolations'] as const) {
      const partial: Partial<IncrementalModel<{ k: number }>> = { ...m };
      delete partial[drop];
      expect(isIncremental(partial as ExplorableModel<{ k: number }>), drop).toBe(false);
    }
  });
});

describe('arguments the engine refuses', () => {
  const one = (over: Partial<ExplorableModel<number>>): ExplorableModel<number> => ({
    actionCount: 1,
    initial: () => 0,
    encode: (s) => s,
    decode: (k) => k,
    next: () => null,
    violations: () => [],
    actionName: () => 'a',
    ...over,
  });

  it('an initial key that is not a safe non-negative integer', () => {
    expect(() => explore(one({ encode: () => -1 }))).toThrow('explore: initial key -1 is not an integer in [0, 2**53)');
    expect(() => explore(one({ encode: () => 0.5 }))).toThrow('explore: initial key 0.5 is not an integer in [0, 2**53)');
    expect(() => explore(one({ encode: () => 2 ** 53 }))).toThrow('is not an integer');
    expect(explore(one({ encode: () => 2 ** 53 - 1, decode: () => 0 })).states).toBe(1);
  });

  it('an action count outside [0, 65536], and a state bound below 1', () => {
    expect(() => explore(one({ actionCount: -1 }))).toThrow('explore: actionCount must be an integer in [0, 65536]');
    expect(() => explore(one({ actionCount: 65537 }))).toThrow('explore: actionCount must be an integer in [0, 65536]');
    expect(() => explore(one({ actionCount: 1.5 }))).toThrow('explore: actionCount must be an integer in [0, 65536]');
    expect(explore(one({ actionCount: 0 }))).toMatchObject({ states: 1, deadlocks: 1, firstDeadlock: [] });
    expect(() => explore(one({}), { maxStates: 0 })).toThrow('explore: maxStates must be at least 1');
    expect(() => explore(one({}), { maxStates: Number.NaN })).toThrow('explore: maxStates must be at least 1');
    expect(explore(one({}), { maxStates: 1 })).toMatchObject({ states: 1, complete: true });
  });
});

describe('the frontier at a depth bound, generic path', () => {
  it('stops encoding successors once one is found that the bound cut (encode interns keys, and costs memory)', () => {
    // State 0 has three actions to three new states; nothing past depth 0 is stored.
    let encodes = 0;
    const fan: ExplorableModel<number> = {
      actionCount: 3,
      initial: () => 0,
      encode: (s) => {
        encodes++;
        return s;
      },
      decode: (k) => k,
      next: (s, a) => (s === 0 ? a + 1 : null),
      violations: () => [],
      actionName: (a) => `to ${a + 1}`,
    };
    const r = explore(fan, { maxDepth: 0 });
    expect([r.states, r.complete, r.stoppedBy]).toEqual([1, false, 'maxDepth']);
    // The initial state, then the first successor: the other two are not looked up.
    expect(encodes).toBe(2);
  });
});
