/**
 * Worlds as parameters (model/designs/world-choice.ts): the settings a
 * user may change, the named worlds, and what a design in another world
 * starts from and may do.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { chooseWorld, defaultWorld, describeWorld, inWorld, isDefaultWorld, parseSettings, worldFlags, worldFromRecord, worldMisfit, worldRecord } from '../../model/designs/world-choice.ts';
import { makeWorld } from '../../model/world.ts';
import { enabledActions } from '../../properties/explore-dma.ts';

const right = <A>(x: E.Either<unknown, A>): A => {
  if (E.isLeft(x)) throw new Error(String(E.isLeft(x) ? JSON.stringify(x.left) : ''));
  return x.right;
};

describe('--set: sizes and bounds', () => {
  it('reads KEY=N pairs, a later key winning, on top of what was set before', () => {
    expect(right(parseSettings('vmas=2,notifiers=1'))).toEqual({ vmas: 2, notifiers: 1 });
    expect(right(parseSettings('vmas=4', { vmas: 2, ios: 1 }))).toEqual({ vmas: 4, ios: 1 });
  });

  it('names the keys for an unknown one, and the range for a value outside it', () => {
    expect(parseSettings('bar-windows=2')).toEqual(E.left("--set: unknown key 'bar-windows' (keys: ram-pages, file-pages, bar-pages, swap-slots, vmas, mms, notifiers, ios, mappings)"));
    expect(parseSettings('vmas=0')).toEqual(E.left('--set: vmas (VMAs alive at once) must be from 1 to 8, got 0'));
    expect(parseSettings('vmas')).toEqual(E.left("--set: expected KEY=N[,KEY=N]... (keys: ram-pages, file-pages, bar-pages, swap-slots, vmas, mms, notifiers, ios, mappings), got 'vmas'"));
  });
});

describe('named worlds', () => {
  it('small sets every bound to what a two-party race needs; --set and --without go on top', () => {
    const w = right(chooseWorld('small', { vmas: 3 }, ['fork']));
    expect(w).toEqual({ name: 'small', set: { vmas: 3, mms: 2, notifiers: 1, ios: 1, mappings: 1 }, without: ['fork'] });
    expect(describeWorld(w)).toBe('world small (vmas=3, mms=2, notifiers=1, ios=1, mappings=1), without fork');
    // Only what the command line added is repeated by a replay command.
    expect(worldFlags(w)).toEqual(['--world', 'small', '--set', 'vmas=3', '--without', 'fork']);
  });

  it('an unknown name lists the known ones', () => {
    expect(chooseWorld('tiny', {}, [])).toEqual(E.left("--world: unknown world 'tiny' (known: default, small, complete, munmap-race)"));
  });

  it("the default world is the design itself; its flags are none", () => {
    const d = designById('vma-p2p-map')!;
    expect(isDefaultWorld(defaultWorld)).toBe(true);
    expect(inWorld(d, defaultWorld)).toBe(d);
    expect(worldFlags(defaultWorld)).toEqual([]);
    expect(describeWorld(defaultWorld)).toBe('');
  });

  it('munmap-race fits the notifier family and names the step a GUP design lacks', () => {
    const w = right(chooseWorld('munmap-race', {}, []));
    expect(worldMisfit(designById('vma-p2p-map-notifier')!, w)).toBeNull();
    expect(worldMisfit(designById('gup-set-page-dirty')!, w)).toBe(
      "--world: world munmap-race does not fit design gup-set-page-dirty: it leaves out 'mprotect', a step gup-set-page-dirty does not have",
    );
    expect(inWorld(designById('vma-p2p-map-notifier')!, w).environment.map((t) => t.name)).not.toContain('fork');
  });

  it('a world record reads back as the same world, and a bad one names its field', () => {
    const w = right(chooseWorld('small', { 'ram-pages': 4 }, ['fork']));
    expect(right(worldFromRecord(worldRecord(w)))).toEqual(w);
    expect(worldFromRecord({ name: 'nope' })).toEqual(E.left({ field: 'world.name', message: "unknown world 'nope' (known: default, small, complete, munmap-race)" }));
    expect(worldFromRecord({ name: 'default', set: { vmas: 9 } })).toEqual(E.left({ field: 'world.set.vmas', message: 'must be from 1 to 8, got 9' }));
  });
});

describe('a design in another world', () => {
  it('starts from the sizes set: RAM frames, file pages and BAR pages', () => {
    const d = inWorld(designById('vma-p2p-map')!, right(chooseWorld('default', { 'ram-pages': 3, 'bar-pages': 1, 'file-pages': 1 }, [])));
    const ram = (x: ReturnType<typeof makeWorld>) => x.frames.filter((f) => f.bar === null && f.mapping.kind !== 'zero');
    const s = makeWorld(d.world);
    expect(ram(s)).toHaveLength(3);
    expect(s.bars[0]!.npages).toBe(1);
    expect(s.frames.filter((f) => f.bar === 0)).toHaveLength(1);
    expect(s.inodes[0]!.npages).toBe(1);
    expect(ram(makeWorld(designById('vma-p2p-map')!.world))).toHaveLength(6);
  });

  it('its templates keep to the bounds: with vmas=1, no mmap once one VMA exists', () => {
    const d = inWorld(designById('gup-set-page-dirty')!, right(chooseWorld('default', { vmas: 1 }, [])));
    const s0 = makeWorld(d.world);
    expect(s0.bounds.vmas).toBe(1);
    const mmap = enabledActions(d, s0).find((a) => a.template.startsWith('mmap_'))!;
    const s1 = mmap.calls.at(-1)!.step.state;
    expect(enabledActions(d, s1).filter((a) => a.template.startsWith('mmap_'))).toEqual([]);
    // The same state with the design's own bounds (3 VMAs) may map again.
    expect(enabledActions(d, { ...s1, bounds: makeWorld(designById('gup-set-page-dirty')!.world).bounds }).some((a) => a.template.startsWith('mmap_'))).toBe(true);
  });
});
