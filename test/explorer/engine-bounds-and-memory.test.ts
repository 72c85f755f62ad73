/**
 * The explorer engine on tiny hand-written models: where action indices
 * above 255 are stored, the action-count limit, the memory and speed it
 * reports, a depth bound whose frontier only leads back to the initial
 * state, and the state bound cutting a level short.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExplorableModel, type IncrementalModel } from '../../properties/explorer/engine.ts';

/** Generic model over integer states: `succ(k, a)` is the successor or -1. */
const generic = (actionCount: number, succ: (k: number, a: number) => number, bad: (k: number, a: number) => ReadonlyArray<string> = () => []): ExplorableModel<number> => ({
  actionCount,
  initial: () => 0,
  encode: (s) => s,
  decode: (k) => k,
  next: (s, a) => {
    const k = succ(s, a);
    return k < 0 ? null : k;
  },
  violations: (s, a) => bad(s, a),
  actionName: (a) => `a${a}`,
});

/** The same, incremental. */
const incremental = (actionCount: number, succ: (k: number, a: number) => number): IncrementalModel<{ k: number }> => ({
  actionCount,
  initial: () => ({ k: 0 }),
  encode: (s) => s.k,
  decode: (k) => ({ k }),
  next: (s, a) => {
    const k = succ(s.k, a);
    return k < 0 ? null : { k };
  },
  violations: () => [],
  actionName: (a) => `a${a}`,
  scratch: () => ({ k: -1 }),
  decodeInto: (k, s) => {
    s.k = k;
  },
  nextKey: (k, _s, a) => succ(k, a),
  stepViolations: () => [],
});

/** KeySet 4096 float64 slots; BFS store 4096 parents (u32), actions (u8 or u16), two key levels (f64). */
const NARROW_BYTES = 4096 * 8 + 4096 * 4 + 4096 * 1 + 2 * 4096 * 8;
const WIDE_BYTES = NARROW_BYTES + 4096;

describe('explore: actions stored in bytes up to 256 actions, in 16-bit words above', () => {
  it('action 299 of 300 is traced back as 299, not 299 mod 256', () => {
    const r = explore(generic(300, (k, a) => (k === 0 && a === 299 ? 1 : -1), (k, a) => (k === 0 && a === 299 ? ['last'] : [])));
    expect(r.violations.get('last')).toEqual({ depth: 1, trace: [299] });
    expect(r.bytes).toBe(WIDE_BYTES);
  });

  it('256 actions fit in a byte; 3 actions too', () => {
    expect(explore(generic(256, (k, a) => (k === 0 && a === 255 ? 1 : -1))).bytes).toBe(NARROW_BYTES);
    const r = explore(generic(3, (k, a) => (k < 2 && a === 0 ? k + 1 : -1)));
    expect(r.bytes).toBe(NARROW_BYTES);
    expect(r.bytesPerState).toBe(NARROW_BYTES / 3);
  });

  it('65536 actions are accepted, 65537 are not', () => {
    expect(explore(generic(65536, (k, a) => (k === 0 && a === 65535 ? 1 : -1))).states).toBe(2);
    expect(() => explore(generic(65537, () => -1))).toThrow(new RangeError('explore: actionCount must be an integer in [0, 65536]'));
  });
});

describe('explore: time reported', () => {
  it('seconds lie within the wall time of the call, per level too, and states per second is their quotient', () => {
    const levels: number[] = [];
    const before = performance.now();
    const r = explore(generic(1, (k) => (k < 50 ? k + 1 : -1)), { onLevel: (l) => levels.push(l.seconds) });
    const wall = (performance.now() - before) / 1000;
    expect(r.states).toBe(51);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThanOrEqual(wall);
    expect(levels).toHaveLength(50);
    for (const s of levels) expect(s).toBeLessThanOrEqual(r.seconds);
    expect(r.statesPerSecond).toBe(r.seconds > 0 ? 51 / r.seconds : Infinity);
  });
});

describe('explore: bounds', () => {
  it('at a depth bound, a frontier whose only move leads back to the initial state is neither cut nor a deadlock', () => {
    const inc = explore(incremental(1, (k) => (k === 0 ? 1 : 0)), { maxDepth: 1 });
    expect([inc.states, inc.complete, inc.stoppedBy, inc.deadlocks]).toEqual([2, true, null, 0]);
    const gen = explore(generic(1, (k) => (k === 0 ? 1 : 0)), { maxDepth: 1 });
    expect([gen.states, gen.complete, gen.stoppedBy, gen.deadlocks]).toEqual([2, true, null, 0]);
  });

  it('the state bound stops the level at the first new state it cannot store: transitions stop there', () => {
    // 0 has successors 1..4; every other state is a dead end.
    const fan = (k: number, a: number) => (k === 0 ? a + 1 : -1);
    // Exploration ends there: the stored dead ends 1 and 2 are never expanded, so no deadlock is counted.
    const r = explore(incremental(4, fan), { maxStates: 3 });
    expect([r.states, r.transitions, r.stoppedBy, r.deadlocks]).toEqual([3, 3, 'maxStates', 0]);
    const g = explore(generic(4, fan), { maxStates: 3 });
    expect([g.states, g.transitions, g.stoppedBy, g.deadlocks]).toEqual([3, 3, 'maxStates', 0]);
  });
});
