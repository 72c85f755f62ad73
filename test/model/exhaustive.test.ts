import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Handlers } from '../../model/kernel-step.ts';
import { step } from '../../model/step.ts';
import { currentEra, makeWorld } from '../../model/world.ts';

describe('the dispatcher is exhaustive', () => {
  it('a handler table missing an operation does not compile (checked by tsc in npm test)', () => {
    // @ts-expect-error -- only one of the 50 operations is handled
    const partial: Handlers = { munmap: () => E.left({ op: 'munmap', reason: 'unused' }) };
    expect(Object.keys(partial)).toEqual(['munmap']);
  });
  it('dispatches by kind', () => {
    const s = makeWorld({ ramPages: 1, devices: [], bars: [], filePages: 1, era: currentEra });
    const r = step(s, { kind: 'munmap', mm: 0, start: 0, npages: 0 });
    expect(E.isLeft(r) && r.left).toEqual({ op: 'munmap', reason: '-EINVAL: do_munmap: len is 0' });
  });
  it('routes a call that names a driver thread (by) to the thread runner, which rejects a thread that does not exist', () => {
    const s = makeWorld({ ramPages: 1, devices: [{ name: 'd', p2pPeers: [] }], bars: [], filePages: 1, era: currentEra });
    expect(E.isRight(step(s, { kind: 'driver_lock', dev: 0 }))).toBe(true);
    const r = step(s, { kind: 'driver_lock', dev: 0, by: 7 });
    expect(E.isLeft(r) && r.left).toEqual({ op: 'driver_lock', reason: 'ill-formed: no driver thread 7' });
  });
});
