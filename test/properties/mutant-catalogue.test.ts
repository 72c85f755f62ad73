/**
 * The verdict-mutation catalogue (properties/mutants/) as data, and the
 * variant mechanism it runs on (model/variant.ts): the catalogue is big
 * enough, names real designs, gives every expected survivor a reason; a
 * variant breaks exactly what it says while it is active and nothing once
 * it is gone. The score itself is `npm run mutate:verdicts` (minutes), in
 * docs/verdict-mutants.md; the six notifier sources are flipped in
 * test/properties/notifier-sources.test.ts.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { recipeByName } from '../../model/designs/importers/index.ts';
import { step } from '../../model/step.ts';
import { withVariant } from '../../model/variant.ts';
import { unknownStep, withoutSteps } from '../../model/designs/world-choice.ts';
import { catalogue } from '../../properties/mutants/catalogue.ts';
import { designOrder } from '../../properties/mutants/run.ts';
import { accept, designWorld, IMPORTER, lastId, mmapAnon, run, writeFault } from '../model/helpers.ts';

const mutant = (id: string) => catalogue.find((m) => m.id === id)!;

/** An anonymous page of mm 0 under the importer's notifier 2, in hmm-mirror's world. */
const mirrored = () => run(designWorld('hmm-mirror'), mmapAnon(1), writeFault(0), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state;

describe('the verdict-mutation catalogue', () => {
  it('has at least 40 mutants with distinct ids, each naming what it breaks and what it mimics', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(40);
    expect(new Set(catalogue.map((m) => m.id)).size).toBe(catalogue.length);
    for (const m of catalogue) {
      expect(m.breaks.length, m.id).toBeGreaterThan(10);
      expect(m.mimics.length, m.id).toBeGreaterThan(5);
    }
  });

  it("names only registered designs, searched first; every design is searched after them", () => {
    for (const m of catalogue) {
      for (const d of m.designs) expect(designById(d), `${m.id}: ${d}`).toBeDefined();
      expect(designOrder(m).slice(0, m.designs.length)).toEqual(m.designs);
      expect(new Set(designOrder(m)).size).toBe(designOrder(m).length);
    }
  });

  it('a mutant leaves out only steps its own designs have, and never the step it breaks', () => {
    for (const m of catalogue.filter((x) => x.without !== undefined)) {
      expect(unknownStep(m.designs.map((d) => designById(d)!), m.without!), m.id).toBeNull();
      for (const d of m.designs) expect(withoutSteps(designById(d)!, m.without!).driver.length, m.id).toBeGreaterThan(0);
    }
    // put_page on pins and the second release break gup-release by two paths: each mutant's own path stays.
    expect(mutant('put-page-unpins').without).toEqual(['bug:unpin_twice']);
    expect(mutant('unpin-user-page-ignored').without).toEqual(['bug:put_page_on_pin']);
  });

  it('each mutant changes the model: a variant with no op and no recipe would be a mutant that cannot fail', () => {
    for (const m of catalogue) expect(Object.keys(m.variant.ops).length + Object.keys(m.variant.recipes).length, m.id).toBeGreaterThan(0);
  });

  it('the mutants the issue named are in it: munmap notifying its first page only, only the first notifier called, the seq left odd', () => {
    for (const id of ['munmap-first-page-only', 'first-notifier-only', 'range-end-leaves-seq-odd', 'set-seq-ghost-unmarked']) expect(catalogue.map((m) => m.id)).toContain(id);
  });
});

describe('a variant breaks what it says, only while it is active', () => {
  it('without the fork notifier, fork write-protects at once: no invalidation starts, and none is left once the variant is gone', () => {
    const s = mirrored();
    const broken = withVariant(mutant('fork-no-notifier').variant, () => accept(s, { kind: 'fork', mm: 0 }));
    expect(broken.events.some((e) => e.kind === 'invalidate-range-start')).toBe(false);
    expect(broken.state.vmas.get(1)!.ptes[0]).toMatchObject({ writable: false });
    expect(broken.state.notifiers).toBe(s.notifiers);
    const whole = accept(s, { kind: 'fork', mm: 0 });
    expect(whole.events.some((e) => e.kind === 'invalidate-range-start')).toBe(true);
  });

  it('mmu_interval_set_seq that sets nothing leaves the seq; read_retry then says no retry', () => {
    const s = mirrored();
    const after = withVariant(mutant('set-seq-sets-nothing').variant, () => accept(s, { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3 }));
    expect(after.state.notifiers.get(2)!.seq).toBe(1);
    expect(accept(s, { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3 }).state.notifiers.get(2)!.seq).toBe(3);
  });

  it("a recipe variant replaces the registry's recipe for as long as it is active", () => {
    const v = mutant('mirror-invalidate-without-zap').variant;
    const own = recipeByName('mirror-invalidate')!;
    const broken = withVariant(v, () => recipeByName('mirror-invalidate')!);
    expect(broken.actions).toHaveLength(own.actions.length);
    expect(broken.actions[2]).not.toBe(own.actions[2]);
    expect(recipeByName('mirror-invalidate')).toBe(own);
  });

  it('the model is whole again after a variant whose run throws', () => {
    const s = mirrored();
    expect(() => withVariant(mutant('set-seq-sets-nothing').variant, () => { throw new Error('boom'); })).toThrow('boom');
    const r = step(s, { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3 });
    expect(E.isRight(r) && r.right.state.notifiers.get(2)!.seq).toBe(3);
  });

  it('munmap telling only its first page: a notifier over the second page hears nothing, and the callback of the first gets one page', () => {
    const s0 = run(designWorld('hmm-mirror'), mmapAnon(2), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 1, npages: 1, owner: IMPORTER }).state;
    const quiet = withVariant(mutant('munmap-first-page-only').variant, () => accept(s0, { kind: 'munmap', mm: 0, start: 0, npages: 2 }));
    expect(quiet.events.some((e) => e.kind === 'invalidate-range-start')).toBe(false);
    const s1 = run(s0, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: IMPORTER }).state;
    const one = withVariant(mutant('munmap-first-page-only').variant, () => accept(s1, { kind: 'munmap', mm: 0, start: 0, npages: 2 }));
    const inv = one.state.invalidations.get(lastId(one.state.invalidations))!;
    expect(inv.ranges).toEqual([{ mm: 0, start: 0, end: 1 }]);
    expect(one.state.threads.get(inv.running!)!.range).toEqual({ mm: 0, start: 0, end: 1 });
  });
});
