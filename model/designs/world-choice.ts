/**
 * Worlds as parameters, as TLC's constants are: a design runs in the world
 * its module gives, and a user may pick another by name (`--world`), change
 * its sizes and bounds (`--set vmas=2,notifiers=1`) or leave steps out of it
 * (`--without fork`). The choice is a value: check, explore and witness
 * print it with every verdict, the replay commands they print repeat it,
 * and a saved counterexample records it so that its replay builds the same
 * world.
 */
import * as E from 'fp-ts/lib/Either.js';
import { quoted } from '../../properties/counterexample/quote.ts';
import type { WorldBounds } from '../state.ts';
import { defaultBounds, type WorldSpec } from '../world.ts';
import type { Design } from './design.ts';

/** What `--set` can change: a world's sizes and the bounds its templates respect. */
export const worldKnobs = {
  'ram-pages': { what: 'RAM page frames', min: 1, max: 32 },
  'file-pages': { what: 'pages of the one regular file', min: 0, max: 16 },
  'bar-pages': { what: 'pages of every BAR', min: 1, max: 16 },
  'swap-slots': { what: 'slots of the swap device (0: no swap)', min: 0, max: 32 },
  vmas: { what: 'VMAs alive at once', min: 1, max: 8 },
  mms: { what: 'address spaces alive at once', min: 1, max: 8 },
  notifiers: { what: 'mmu interval notifiers registered at once', min: 0, max: 8 },
  ios: { what: 'GUP I/Os in flight at once', min: 0, max: 8 },
  mappings: { what: 'p2p_map mappings an importer without a notifier holds at once', min: 0, max: 8 },
} as const;

export type WorldKnob = keyof typeof worldKnobs;
export type WorldSettings = Readonly<Partial<Record<WorldKnob, number>>>;

const knobNames = Object.keys(worldKnobs) as ReadonlyArray<WorldKnob>;
const isKnob = (k: string): k is WorldKnob => Object.hasOwn(worldKnobs, k);

/** A world chosen for a run: a named world, the settings changed on top of it, and the steps left out. */
export interface World {
  readonly name: string;
  readonly set: WorldSettings;
  readonly without: ReadonlyArray<string>;
}

export const defaultWorld: World = { name: 'default', set: {}, without: [] };

export interface NamedWorld {
  readonly name: string;
  readonly summary: string;
  readonly set: WorldSettings;
  readonly without: ReadonlyArray<string>;
}

/** The worlds `--world` names. Each is a change of the design's own world, which `default` is. */
export const namedWorlds: ReadonlyArray<NamedWorld> = [
  { name: 'default', summary: "the design's own world, as its module gives it", set: {}, without: [] },
  {
    name: 'small',
    summary: 'at most two VMAs and two address spaces, one notifier, one GUP I/O and one p2p_map mapping: every object a two-party race needs, fast to explore',
    set: { vmas: 2, mms: 2, notifiers: 1, ios: 1, mappings: 1 },
    without: [],
  },
  {
    name: 'complete',
    summary:
      "the design's complete world, where it names one: the smallest world its module says still shows every expected violation of it and of its siblings, small enough for explore to finish (docs/exploring.md, Complete worlds)",
    set: {},
    without: [],
  },
  {
    name: 'munmap-race',
    summary:
      'the notifier family with munmap as the only invalidation source: no mprotect, mremap, exit, fork or provider removal, no device accesses, no release and no notifier removal (docs/exploring.md); small enough to explore to the end',
    set: {},
    without: ['mprotect', 'mremap', 'exit_mmap', 'fork', 'pci_stop_and_remove_bus_device', 'device_write', 'device_read', 'release(stop, p2p_unmap, forget)', 'mmu_interval_notifier_remove'],
  },
];

/** `k=v[,k=v]...` of `--set`, each key a knob and each value in its range; a later key wins. */
export const parseSettings = (text: string, into: WorldSettings = {}): E.Either<string, WorldSettings> => {
  const out: Partial<Record<WorldKnob, number>> = { ...into };
  for (const part of text.split(',')) {
    const m = /^([a-z-]+)=([0-9]+)$/.exec(part.trim());
    if (m === null) return E.left(`--set: expected KEY=N[,KEY=N]... (keys: ${knobNames.join(', ')}), got ${quoted(part)}`);
    const [, key, value] = m as unknown as [string, string, string];
    if (!isKnob(key)) return E.left(`--set: unknown key ${quoted(key)} (keys: ${knobNames.join(', ')})`);
    const n = Number(value);
    const k = worldKnobs[key];
    if (n < k.min || n > k.max) return E.left(`--set: ${key} (${k.what}) must be from ${k.min} to ${k.max}, got ${n}`);
    out[key] = n;
  }
  return E.right(out);
};

/** The world `name` with `set` on top and `without` added to what it leaves out; an unknown name is a one-line error. */
export const chooseWorld = (name: string, set: WorldSettings, without: ReadonlyArray<string>): E.Either<string, World> => {
  const named = namedWorlds.find((w) => w.name === name);
  if (named === undefined) return E.left(`--world: unknown world ${quoted(name)} (known: ${namedWorlds.map((w) => w.name).join(', ')})`);
  return E.right({ name, set: { ...named.set, ...set }, without: [...new Set([...named.without, ...without])] });
};

/** The settings `--set` gave beyond the named world's own, in knob order (what a replay command must repeat). */
const ownSettings = (w: World): ReadonlyArray<readonly [WorldKnob, number]> => {
  const named = namedWorlds.find((x) => x.name === w.name);
  return knobNames.flatMap((k) => (w.set[k] === undefined || named?.set[k] === w.set[k] ? [] : [[k, w.set[k]] as const]));
};

/** The steps `--without` gave beyond the named world's own. */
const ownWithout = (w: World): ReadonlyArray<string> => {
  const named = namedWorlds.find((x) => x.name === w.name);
  return w.without.filter((s) => !(named?.without.includes(s) ?? false));
};

/** The command-line words that choose `w` again (none for the default world). */
export const worldFlags = (w: World): ReadonlyArray<string> => {
  const set = ownSettings(w);
  return [
    ...(w.name === 'default' ? [] : ['--world', w.name]),
    ...(set.length === 0 ? [] : ['--set', set.map(([k, v]) => `${k}=${v}`).join(',')]),
    ...ownWithout(w).flatMap((s) => ['--without', s]),
  ];
};

/**
 * A world in which every expected violation of a design must show: its own,
 * or its complete world with nothing set or left out on top (that is what a
 * complete world claims). In any other world a missing one is excused.
 */
export const showsEveryViolation = (w: World): boolean => isDefaultWorld(w) || (w.name === 'complete' && Object.keys(w.set).length === 0 && w.without.length === 0);

/** True for the design's own world, unchanged. */
export const isDefaultWorld = (w: World): boolean => w.name === 'default' && knobNames.every((k) => w.set[k] === undefined) && w.without.length === 0;

/** One phrase for headers and holds: `world small (vmas=2, ...), without fork`; '' for the design's own world. */
export const describeWorld = (w: World): string => {
  const set = knobNames.flatMap((k) => (w.set[k] === undefined ? [] : [`${k}=${w.set[k]}`]));
  const named = w.name === 'default' && set.length === 0 ? [] : [`world ${w.name}${set.length === 0 ? '' : ` (${set.join(', ')})`}`];
  return [...named, ...(w.without.length === 0 ? [] : [`without ${w.without.join(', ')}`])].join(', ');
};

const resized = (spec: WorldSpec, set: WorldSettings): WorldSpec => {
  const bounds: WorldBounds = {
    vmas: set.vmas ?? spec.bounds?.vmas ?? defaultBounds.vmas,
    mms: set.mms ?? spec.bounds?.mms ?? defaultBounds.mms,
    notifiers: set.notifiers ?? spec.bounds?.notifiers ?? defaultBounds.notifiers,
    ios: set.ios ?? spec.bounds?.ios ?? defaultBounds.ios,
    mappings: set.mappings ?? spec.bounds?.mappings ?? defaultBounds.mappings,
  };
  return {
    ...spec,
    ramPages: set['ram-pages'] ?? spec.ramPages,
    filePages: set['file-pages'] ?? spec.filePages,
    ...(set['swap-slots'] === undefined ? {} : { swapSlots: set['swap-slots'] }),
    bars: spec.bars.map((b) => ({ ...b, npages: set['bar-pages'] ?? b.npages })),
    bounds,
  };
};

/** The design with the named step templates left out: a smaller world (every trace in it is a trace of the design). */
export const withoutSteps = (design: Design, without: ReadonlyArray<string>): Design =>
  without.length === 0
    ? design
    : { ...design, driver: design.driver.filter((t) => !without.includes(t.name)), environment: design.environment.filter((t) => !without.includes(t.name)) };

/** A step `without` names that none of `designs` has: the one-line error (naming the steps there are), or null. */
export const unknownStep = (designs: ReadonlyArray<Design>, without: ReadonlyArray<string>, flag = '--without'): string | null => {
  const names = new Set(designs.flatMap((d) => [...d.driver, ...d.environment].map((t) => t.name)));
  const bad = without.find((w) => !names.has(w));
  return bad === undefined
    ? null
    : `${flag}: no step named ${quoted(bad)} in ${designs.length === 1 ? designs[0]!.id : 'these designs'} (steps: ${[...names].join(', ')})`;
};

/** Whether the named world `w` starts from fits `design`: every step it leaves out is one of the design's. The one-line error, or null. */
export const worldMisfit = (design: Design, w: World, flag = '--world'): string | null => {
  if (w.name === 'complete' && design.completeWorld === undefined)
    return `${flag}: design ${design.id} names no complete world yet (docs/exploring.md lists those that do)`;
  if (w.name === 'complete') return unknownStep([design], design.completeWorld!.without, `${design.id}'s complete world`);
  const named = namedWorlds.find((x) => x.name === w.name);
  const steps = new Set([...design.driver, ...design.environment].map((t) => t.name));
  const missing = named?.without.find((s) => !steps.has(s));
  return missing === undefined ? null : `${flag}: world ${w.name} does not fit design ${design.id}: it leaves out ${quoted(missing)}, a step ${design.id} does not have`;
};

/**
 * A world `designs` cannot run in: a named world leaving out a step one of
 * them lacks, or a step left out that none has. The one-line error, its
 * first word the flag (or file field) that named it; null when it fits.
 */
export const worldError = (designs: ReadonlyArray<Design>, w: World, flags = { world: '--world', without: '--without' }): string | null =>
  designs.map((d) => worldMisfit(d, w, flags.world)).find((m) => m !== null) ?? unknownStep(designs, w.without, flags.without);

/**
 * `w` with a named world that depends on the design made concrete: the
 * complete world is the design's own `completeWorld`, with what `--set` and
 * `--without` gave on top. Any other world is `w` itself.
 */
export const resolveWorld = (design: Design, w: World): World => {
  if (w.name !== 'complete' || design.completeWorld === undefined) return w;
  const c = design.completeWorld;
  return { name: w.name, set: { ...c.set, ...w.set }, without: [...new Set([...c.without, ...w.without])] };
};

/** `design` in world `w`: its world resized, its bounds set, the steps left out. The design's own world is the design itself. */
export const inWorld = (design: Design, world: World): Design => {
  const w = resolveWorld(design, world);
  return isDefaultWorld(w) ? design : withoutSteps({ ...design, world: resized(design.world, w.set) }, w.without);
};

/**
 * `w` as it applies to `design`: the steps left out that the design has
 * (a `--without` given for several designs names steps of some of them).
 * What a saved file and a printed replay command of that design repeat.
 */
export const worldFor = (design: Design, world: World): World => {
  const w = resolveWorld(design, world);
  const steps = new Set([...design.driver, ...design.environment].map((t) => t.name));
  const without = w.without.filter((s) => steps.has(s));
  return without.length === w.without.length ? w : { ...w, without };
};

/** A world as a saved counterexample records it: its name, the settings and the steps left out (empty parts omitted). */
export interface WorldRecord {
  readonly name: string;
  readonly set?: WorldSettings;
  readonly without?: ReadonlyArray<string>;
}

export const worldRecord = (w: World): WorldRecord => ({
  name: w.name,
  ...(Object.keys(w.set).length === 0 ? {} : { set: Object.fromEntries(knobNames.flatMap((k) => (w.set[k] === undefined ? [] : [[k, w.set[k]]]))) }),
  ...(w.without.length === 0 ? {} : { without: w.without }),
});

/** The world a record names, checked as the command line checks it; the error names the field. */
export const worldFromRecord = (r: WorldRecord): E.Either<{ readonly field: string; readonly message: string }, World> => {
  if (!namedWorlds.some((w) => w.name === r.name)) return E.left({ field: 'world.name', message: `unknown world ${quoted(r.name)} (known: ${namedWorlds.map((w) => w.name).join(', ')})` });
  for (const k of knobNames) {
    const v = r.set?.[k];
    if (v !== undefined && (v < worldKnobs[k].min || v > worldKnobs[k].max))
      return E.left({ field: `world.set.${k}`, message: `must be from ${worldKnobs[k].min} to ${worldKnobs[k].max}, got ${v}` });
  }
  // The named world's own settings and steps, with the record's on top (as --world and --set combine).
  const w = chooseWorld(r.name, r.set ?? {}, r.without ?? []);
  return E.isLeft(w) ? E.left({ field: 'world.name', message: w.left }) : E.right(w.right);
};
