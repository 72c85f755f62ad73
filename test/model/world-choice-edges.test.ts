/**
 * The edges of world choice (model/designs/world-choice.ts) that the CLI
 * tests reach only through whole searches: the --set syntax and ranges at
 * their ends, which settings and steps a replay command repeats, when a
 * world is the design's own, how a design is resized and cut down, and the
 * errors naming a step or world that does not fit. (The first run of
 * `npm run mutate:static` found these branches unjudged.)
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Design } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import {
  chooseWorld,
  defaultWorld,
  describeWorld,
  inWorld,
  isDefaultWorld,
  parseSettings,
  unknownStep,
  type World,
  worldError,
  worldFlags,
  worldFor,
  worldFromRecord,
  worldMisfit,
  worldRecord,
  withoutSteps,
} from '../../model/designs/world-choice.ts';
import { defaultBounds } from '../../model/world.ts';

const design = (id: string): Design => designById(id)!;
const world = (name: string, set: World['set'] = {}, without: ReadonlyArray<string> = []): World => ({ name, set, without });
const names = (d: Design): ReadonlyArray<string> => [...d.driver, ...d.environment].map((t) => t.name);

describe('--set at its edges', () => {
  it('takes a key and a number of any length, around spaces, and nothing more', () => {
    expect(parseSettings(' ram-pages=12 ')).toEqual(E.right({ 'ram-pages': 12 }));
    for (const bad of ['1ram-pages=3', 'ram-pages=3x', 'ram-pages=', '=3', 'ram-pages=-1']) expect(E.isLeft(parseSettings(bad)), bad).toBe(true);
  });
  it('accepts each end of a range and refuses one past it', () => {
    expect(parseSettings('ram-pages=1,file-pages=0,notifiers=8')).toEqual(E.right({ 'ram-pages': 1, 'file-pages': 0, notifiers: 8 }));
    expect(parseSettings('ram-pages=0')).toEqual(E.left('--set: ram-pages (RAM page frames) must be from 1 to 32, got 0'));
    expect(parseSettings('ram-pages=33')).toEqual(E.left('--set: ram-pages (RAM page frames) must be from 1 to 32, got 33'));
  });
});

describe('what a replay command repeats', () => {
  it("a setting the named world already has is not repeated; one that differs, or any on the default world, is", () => {
    expect(worldFlags(world('small', { vmas: 2, mms: 2, notifiers: 1, ios: 1, mappings: 1 }))).toEqual(['--world', 'small']);
    expect(worldFlags(world('small', { vmas: 1, mms: 2 }))).toEqual(['--world', 'small', '--set', 'vmas=1']);
    expect(worldFlags(world('default', { mms: 1 }))).toEqual(['--set', 'mms=1']);
  });
  it("a step the named world leaves out is not repeated; one the command line added is", () => {
    const race = chooseWorld('munmap-race', {}, ['mmu_interval_notifier_insert']);
    if (E.isLeft(race)) return expect.fail(race.left);
    expect(worldFlags(race.right)).toEqual(['--world', 'munmap-race', '--without', 'mmu_interval_notifier_insert']);
    expect(worldFlags(world('default', {}, ['fork']))).toEqual(['--without', 'fork']);
  });
});

describe("the design's own world", () => {
  it('is the default world with nothing set and nothing left out', () => {
    expect(isDefaultWorld(defaultWorld)).toBe(true);
    expect(isDefaultWorld(world('small'))).toBe(false);
    expect(isDefaultWorld(world('default', { vmas: 3 }))).toBe(false);
    expect(isDefaultWorld(world('default', {}, ['fork']))).toBe(false);
  });
  it('is described by nothing; another is described by its name, its settings and what it leaves out', () => {
    expect(describeWorld(defaultWorld)).toBe('');
    expect(describeWorld(world('default', { vmas: 3 }))).toBe('world default (vmas=3)');
    expect(describeWorld(world('default', {}, ['fork']))).toBe('without fork');
    expect(describeWorld(world('small'))).toBe('world small');
  });
});

describe('a design in another world', () => {
  const d = design('gup-set-page-dirty');
  it('takes each bound --set gives, and keeps the others as its world had them', () => {
    const b = inWorld(d, world('default', { mms: 1, notifiers: 0, ios: 3, mappings: 4 })).world.bounds!;
    expect(b).toEqual({ vmas: d.world.bounds?.vmas ?? defaultBounds.vmas, mms: 1, notifiers: 0, ios: 3, mappings: 4 });
    const kept = inWorld(d, world('default', { vmas: 2 })).world.bounds!;
    expect(kept).toEqual({ ...defaultBounds, ...(d.world.bounds ?? {}), vmas: 2 });
  });
  it('leaves out exactly the steps named, from the driver and the environment, and is the same design when none is', () => {
    expect(withoutSteps(d, [])).toBe(d);
    const cut = withoutSteps(d, ['fork', d.driver[0]!.name]);
    expect(names(cut)).toEqual(names(d).filter((n) => n !== 'fork' && n !== d.driver[0]!.name));
    expect(cut.driver.length).toBe(d.driver.length - 1);
  });
  it('keeps only the steps it has of a --without given for several designs', () => {
    const w = world('default', {}, ['fork', 'mmu_interval_notifier_insert']);
    expect(worldFor(d, w)).toEqual(world('default', {}, ['fork']));
    const both = world('default', {}, ['fork']);
    expect(worldFor(d, both)).toBe(both);
  });
});

describe('a world that does not fit', () => {
  it('a step no design has is named, with the design or the designs', () => {
    expect(unknownStep([design('vma-p2p-map')], ['fork'])).toBeNull();
    expect(unknownStep([design('vma-p2p-map')], ['nope'])).toMatch(/^--without: no step named 'nope' in vma-p2p-map \(steps: /);
    expect(unknownStep([design('vma-p2p-map'), design('gup-set-page-dirty')], ['nope'], 'world.without')).toMatch(/^world\.without: no step named 'nope' in these designs \(steps: /);
  });
  it('a named world leaving out a step the design lacks is refused; a fitting one is not', () => {
    expect(worldMisfit(design('hmm-mirror'), world('munmap-race'))).toMatch(/^--world: world munmap-race does not fit design hmm-mirror: it leaves out '/);
    expect(worldMisfit(design('vma-p2p-map-notifier'), world('munmap-race'))).toBeNull();
    expect(worldMisfit(design('vmsplice'), world('complete'))).toBeNull();
  });
  it('worldError reports the first design that does not fit, under the flag names it is given', () => {
    const flags = { world: 'world.name', without: 'world.without' };
    expect(worldError([design('vma-p2p-map-notifier'), design('hmm-mirror')], world('munmap-race'), flags)).toMatch(/^world\.name: world munmap-race does not fit design hmm-mirror/);
    expect(worldError([design('vma-p2p-map-notifier')], world('default', {}, ['nope']), flags)).toMatch(/^world\.without: no step named 'nope'/);
    expect(worldError([design('vma-p2p-map-notifier')], world('munmap-race'))).toBeNull();
  });
});

describe('a world as a file records it', () => {
  it('leaves out an empty set and an empty list of steps, and lists the settings in knob order', () => {
    expect(worldRecord(world('small'))).toEqual({ name: 'small' });
    expect(worldRecord(world('default', { mappings: 1, vmas: 2 }, ['fork']))).toEqual({ name: 'default', set: { vmas: 2, mappings: 1 }, without: ['fork'] });
    expect(Object.keys(worldRecord(world('default', { mappings: 1, vmas: 2 })).set!)).toEqual(['vmas', 'mappings']);
  });
  it('reads back a record at the ends of every range, and names the field of a value past one', () => {
    expect(worldFromRecord({ name: 'default', set: { vmas: 1, ios: 8 } })).toEqual(E.right(world('default', { vmas: 1, ios: 8 })));
    expect(worldFromRecord({ name: 'small' })).toEqual(E.right(world('small', { vmas: 2, mms: 2, notifiers: 1, ios: 1, mappings: 1 })));
    expect(worldFromRecord({ name: 'default', set: { ios: 9 } })).toEqual(E.left({ field: 'world.set.ios', message: 'must be from 0 to 8, got 9' }));
    expect(worldFromRecord({ name: 'default', set: { vmas: 0 } })).toEqual(E.left({ field: 'world.set.vmas', message: 'must be from 1 to 8, got 0' }));
  });
});

describe('where every expected violation must show', () => {
  it("the design's own world and its complete world as it is; not one changed on top, nor another world", async () => {
    const { showsEveryViolation } = await import('../../model/designs/world-choice.ts');
    expect(showsEveryViolation(defaultWorld)).toBe(true);
    expect(showsEveryViolation(world('complete'))).toBe(true);
    expect(showsEveryViolation(world('complete', { 'ram-pages': 2 }))).toBe(false);
    expect(showsEveryViolation(world('complete', {}, ['fork']))).toBe(false);
    expect(showsEveryViolation(world('small'))).toBe(false);
  });
});
