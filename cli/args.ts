/**
 * Command-line parsing for `dmacheck`. Total: bad input comes back as a
 * one-line message (exit status 2), never as an exception.
 */
import * as E from 'fp-ts/lib/Either.js';
import { type ParseArgsConfig, parseArgs as tokenize } from 'node:util';
import { designs } from '../model/designs/index.ts';
import { chooseWorld, namedWorlds, parseSettings, type World, type WorldSettings, worldKnobs } from '../model/designs/world-choice.ts';
import { quoted } from '../properties/counterexample/quote.ts';
import { type Command, isCommand } from './help.ts';
import { type InvariantId, invariantIds, isInvariantId } from '../properties/invariant.ts';

export interface CheckArgs {
  readonly command: 'check';
  readonly designs: ReadonlyArray<string>;
  readonly invariants: ReadonlyArray<InvariantId>;
  readonly runs: number;
  /** `--runs` was given: it overrides a design's own budget (`Design.searchRuns`). */
  readonly runsGiven: boolean;
  /** `--max-commands` was given: it overrides a design's own run length (`Design.searchCommands`). */
  readonly maxCommandsGiven: boolean;
  readonly seed: number;
  readonly maxCommands: number;
  readonly json: boolean;
  readonly path: string | undefined;
  readonly save: boolean;
  /** Print times and rates (wall clock); `--no-timing` drops them so two runs compare byte for byte. */
  readonly timing: boolean;
  /** The explorer's state budget for confirming that each trace found is the shortest; 0: do not ask. */
  readonly confirmStates: number;
  /** The world every design runs in (`--world`, `--set`, `--without`). */
  readonly world: World;
  /** `--seeds A..B`: search each design once per seed of the range and report how often each verdict came out (cli/check-seeds.ts). */
  readonly seeds?: { readonly from: number; readonly to: number };
}

export interface ReplayArgs {
  readonly command: 'replay';
  readonly files: ReadonlyArray<string>;
  readonly design: string | undefined;
}

export interface SaveArgs {
  readonly command: 'save';
  readonly files: ReadonlyArray<string>;
  /** The title line the saved file gets (one trace only); otherwise the report's own title, if it has one. */
  readonly title: string | undefined;
}

export const reportFormats = ['text', 'markdown', 'mermaid', 'json', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface ReportArgs {
  readonly command: 'report';
  readonly file: string;
  readonly format: ReportFormat;
}

export interface ExploreArgs {
  readonly command: 'explore';
  readonly designs: ReadonlyArray<string>;
  readonly invariants: ReadonlyArray<InvariantId>;
  readonly depth: number | undefined;
  readonly maxStates: number;
  /** The world every design is explored in (`--world`, `--set`, `--without`: steps left out, said in every verdict). */
  readonly world: World;
  /** `--fingerprints`: keep 53-bit fingerprints of the visited states instead of their keys (hash compaction). */
  readonly fingerprints: boolean;
  /** `--go-on`: with one `--invariant`, explore to the bound past its first violation (the state counts of the whole space). */
  readonly goOn: boolean;
  /** `--no-process-symmetry`: rank processes by creation order in the state key, not by what they hold (the reduction off). */
  readonly processSymmetry: boolean;
  /** `--workers N`: threads that expand states (1: the main thread alone); same results for every N. */
  readonly workers: number;
  readonly json: boolean;
  readonly save: boolean;
  readonly timing: boolean;
}

export interface ReferenceArgs {
  readonly command: 'reference';
  readonly size: string;
  readonly buggy: boolean;
  readonly json: boolean;
}

export const witnessFormats = ['text', 'markdown', 'json'] as const;
export type WitnessFormat = (typeof witnessFormats)[number];

export interface WitnessArgs {
  readonly command: 'witness';
  readonly design: string;
  /** Situations to reach; empty: list every situation and whether it is reachable. */
  readonly reach: ReadonlyArray<string>;
  readonly depth: number | undefined;
  readonly maxStates: number;
  readonly world: World;
  readonly format: WitnessFormat;
}

/** `topic`: the command whose own help was asked for (`dmacheck check --help`, `dmacheck help check`); none: the overview. */
export type Args = CheckArgs | ExploreArgs | ReferenceArgs | ReplayArgs | ReportArgs | SaveArgs | WitnessArgs | { readonly command: 'help'; readonly topic?: Command };

/**
 * `confirmStates`: how far check's explorer looks for a shorter trace. Every
 * shorter trace it has confirmed needed at most 1960 states; the notifier
 * races lie past what 10000 states reach (depth 5 of 8 to 15), where each
 * try cost about 2 s for nothing.
 */
export const defaults = { runs: 10000, seed: 2019, maxCommands: 80, maxStates: 10000, confirmStates: 3000 } as const;

/** explore's state bound in a complete world when --max-states is not given: a complete world is meant to be explored to its end. */
export const COMPLETE_WORLD_STATES = 5_000_000;

export const COUNTEREXAMPLES = 'counterexamples';

/** `explore --workers`: at most this many threads. */
export const MAX_WORKERS = 64;

export const usage = `usage:
  dmacheck check [--design ID]... [--invariant ID]... [--runs N] [--seed S] [--max-commands N] [--path P] [--confirm-states N] [WORLD] [--json] [--save] [--no-timing]
  dmacheck check --seeds A..B [--design ID]... [--invariant ID]... [--runs N] [--max-commands N] [WORLD] [--json] [--no-timing]
  dmacheck explore [--design ID]... [--invariant ID]... [--depth K] [--max-states N] [WORLD] [--fingerprints] [--go-on] [--no-process-symmetry] [--workers N] [--json] [--save] [--no-timing]
  dmacheck explore --reference P-V-B-M [--buggy] [--json]
  dmacheck replay [FILE|-...] [--design OTHER]   (a FILE may be a pasted text or markdown report; - reads stdin)
  dmacheck save FILE|-... [--title TEXT]         (writes pasted reports into ${COUNTEREXAMPLES}/)
  dmacheck report FILE [--format text|markdown|mermaid|json|html]
  dmacheck witness --design ID [--reach SITUATION]... [--depth K] [--max-states N] [WORLD] [--format text|markdown|json]
  WORLD: [--world NAME] [--set KEY=N[,KEY=N]...] [--without STEP]...
designs:    ${designs.map((d) => d.id).join(', ')}
invariants: ${invariantIds.join(', ')}
worlds:     ${namedWorlds.map((w) => w.name).join(', ')}; --set keys: ${Object.keys(worldKnobs).join(', ')}
defaults:   --runs ${defaults.runs} --seed ${defaults.seed} --max-commands ${defaults.maxCommands} --confirm-states ${defaults.confirmStates}; explore --max-states ${defaults.maxStates} (per design, no depth bound; ${COMPLETE_WORLD_STATES} in --world complete); replay reads ${COUNTEREXAMPLES}/`;

const positive = (flag: string, v: string): E.Either<string, number> =>
  /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000_000 ? E.right(Number(v)) : E.left(`${flag}: expected a whole number from 1 to 10000000, got ${quoted(v)}`);

const seedOf = (v: string): E.Either<string, number> =>
  /^-?[0-9]+$/.test(v) && Number(v) >= -(2 ** 31) && Number(v) < 2 ** 31 ? E.right(Number(v)) : E.left(`--seed: expected a 32-bit integer, got ${quoted(v)}`);

const designOf = (v: string): E.Either<string, string> =>
  designs.some((d) => d.id === v) ? E.right(v) : E.left(`--design: unknown design ${quoted(v)} (known: ${designs.map((d) => d.id).join(', ')})`);

interface Flags {
  readonly values: ReadonlyArray<readonly [string, string]>;
  readonly switches: ReadonlySet<string>;
  readonly positional: ReadonlyArray<string>;
}

/**
 * Split argv into `--flag value` / `--flag=value` pairs (in command-line
 * order), bare switches and positional words. node:util's parseArgs does
 * the tokenizing (`--flag=value`, a lone `-` as a word, `--` ending the
 * options); this turns its tokens into the one-line errors the CLI prints.
 */
const split = (rest: ReadonlyArray<string>, valued: ReadonlyArray<string>, switches: ReadonlyArray<string>): E.Either<string, Flags> => {
  const options: ParseArgsConfig['options'] = Object.fromEntries([
    ...valued.map((f) => [f.slice(2), { type: 'string' as const, multiple: true }]),
    ...switches.map((f) => [f.slice(2), { type: 'boolean' as const }]),
  ]);
  const { tokens } = tokenize({ args: [...rest], options, strict: false, allowPositionals: true, tokens: true });
  const values: [string, string][] = [];
  const on = new Set<string>();
  const positional: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positional.push(t.value);
    if (t.kind !== 'option') continue;
    // The word as typed: `-x` and `-abc` are meant as options too, and none is one of ours.
    const raw = rest[t.index]!;
    const flag = t.rawName;
    if (switches.includes(flag)) {
      if (t.value !== undefined) return E.left(`${quoted(flag)} takes no value`);
      on.add(flag);
    } else if (valued.includes(flag)) {
      if (t.value === undefined) return E.left(`${flag} needs a value`);
      values.push([flag, t.value]);
    } else return E.left(`unknown option ${quoted(raw)}`);
  }
  return E.right({ values, switches: on, positional });
};

/** The world flags (`--world`, `--set`, `--without`) of a search command: the design's own world when none is given. */
const worldFlagsOf = (f: Flags): E.Either<string, World> => {
  let name = 'default';
  let set: WorldSettings = {};
  const without: string[] = [];
  for (const [flag, value] of f.values) {
    if (flag === '--world') name = value;
    else if (flag === '--without') without.push(value);
    else if (flag === '--set') {
      const s = parseSettings(value, set);
      if (E.isLeft(s)) return s;
      set = s.right;
    }
  }
  return chooseWorld(name, set, without);
};

const WORLD_FLAGS: ReadonlyArray<string> = ['--world', '--set', '--without'];

/** The --design and --invariant flags every search command takes; defaults to all of them. */
interface Selection {
  readonly designs: ReadonlyArray<string>;
  readonly invariants: ReadonlyArray<InvariantId>;
}

const selection = (f: Flags): E.Either<string, Selection> => {
  const ds: string[] = [];
  const is: InvariantId[] = [];
  for (const [flag, value] of f.values) {
    if (flag === '--design') {
      const d = designOf(value);
      if (E.isLeft(d)) return d;
      ds.push(d.right);
    } else if (flag === '--invariant') {
      if (!isInvariantId(value)) return E.left(`--invariant: unknown invariant ${quoted(value)} (known: ${invariantIds.join(', ')})`);
      is.push(value);
    }
  }
  return E.right({
    designs: ds.length === 0 ? designs.map((d) => d.id) : [...new Set(ds)],
    invariants: is.length === 0 ? [...invariantIds] : [...new Set(is)],
  });
};

/**
 * With `--world complete` and no `--design`, the designs that name a
 * complete world: the others would each be refused ("names no complete
 * world yet"), and `npm run explore -- --world complete` is meant to
 * explore every complete world there is.
 */
const inCompleteWorld = (sel: Selection, f: Flags, world: World): Selection =>
  world.name === 'complete' && !f.values.some(([flag]) => flag === '--design')
    ? { ...sel, designs: sel.designs.filter((id) => designs.find((d) => d.id === id)?.completeWorld !== undefined) }
    : sel;

const parseCheck = (f: Flags): E.Either<string, CheckArgs> => {
  if (f.positional.length > 0) return E.left(`check takes no file arguments, got ${quoted(f.positional[0]!)}`);
  const sel = selection(f);
  if (E.isLeft(sel)) return sel;
  let runs: number = defaults.runs;
  let seed: number = defaults.seed;
  let maxCommands: number = defaults.maxCommands;
  let path: string | undefined;
  let confirmStates: number = defaults.confirmStates;
  let seeds: { readonly from: number; readonly to: number } | undefined;
  const world = worldFlagsOf(f);
  if (E.isLeft(world)) return world;
  for (const [flag, value] of f.values) {
    if (flag === '--design' || flag === '--invariant' || WORLD_FLAGS.includes(flag)) continue;
    if (flag === '--confirm-states') {
      if (!/^[0-9]+$/.test(value) || Number(value) > 10_000_000) return E.left(`--confirm-states: expected a whole number from 0 to 10000000, got ${quoted(value)}`);
      confirmStates = Number(value);
    } else if (flag === '--seeds') {
      const m = /^(-?[0-9]+)\.\.(-?[0-9]+)$/.exec(value);
      const [from, to] = m === null ? [NaN, NaN] : [Number(m[1]), Number(m[2])];
      if (m === null || !(from >= -(2 ** 31) && to < 2 ** 31 && from <= to && to - from < 1000))
        return E.left(`--seeds: expected A..B, two 32-bit integers with A <= B and at most 1000 seeds (like 1..20), got ${quoted(value)}`);
      seeds = { from, to };
    } else if (flag === '--path') {
      if (!/^[0-9]+(:[0-9]+)*@[A-Za-z0-9+/]*:[A-Za-z0-9+/]*$/.test(value))
        return E.left(`--path: expected a replay path as printed by a failing search (like 12:3:3@B:A), got ${quoted(value)}`);
      path = value;
    } else {
      const n = flag === '--seed' ? seedOf(value) : positive(flag, value);
      if (E.isLeft(n)) return n;
      if (flag === '--runs') runs = n.right;
      else if (flag === '--seed') seed = n.right;
      else maxCommands = n.right;
    }
  }
  if (path !== undefined && sel.right.designs.length !== 1) return E.left('--path replays one search: give exactly one --design');
  if (seeds !== undefined) {
    const clash = ['--seed', '--path', '--confirm-states'].find((x) => f.values.some(([flag]) => flag === x)) ?? (f.switches.has('--save') ? '--save' : undefined);
    if (clash !== undefined) return E.left(`--seeds runs a range of seeds and reports how often each verdict came out: it takes no ${clash}`);
  }
  return E.right({
    command: 'check',
    ...inCompleteWorld(sel.right, f, world.right),
    runs,
    seed,
    maxCommands,
    json: f.switches.has('--json'),
    path,
    save: f.switches.has('--save'),
    timing: !f.switches.has('--no-timing'),
    confirmStates,
    runsGiven: f.values.some(([flag]) => flag === '--runs'),
    maxCommandsGiven: f.values.some(([flag]) => flag === '--max-commands'),
    world: world.right,
    ...(seeds === undefined ? {} : { seeds }),
  });
};

const parseExplore = (f: Flags): E.Either<string, ExploreArgs | ReferenceArgs> => {
  if (f.positional.length > 0) return E.left(`explore takes no file arguments, got ${quoted(f.positional[0]!)}`);
  const sel = selection(f);
  if (E.isLeft(sel)) return sel;
  let depth: number | undefined;
  let maxStates: number = defaults.maxStates;
  let workers = 1;
  let reference: string | undefined;
  const world = worldFlagsOf(f);
  if (E.isLeft(world)) return world;
  for (const [flag, value] of f.values) {
    if (flag === '--design' || flag === '--invariant' || WORLD_FLAGS.includes(flag)) continue;
    if (flag === '--reference') {
      const m = /^([0-9]+)-([0-9]+)-([0-9]+)-([0-9]+)$/.exec(value);
      if (m === null || m.slice(1).some((x) => Number(x) < 1) || Number(m[2]) > Number(m[1]))
        return E.left(`--reference: expected P-V-B-M with every number at least 1 and V <= P (like 6-3-2-4), got ${quoted(value)}`);
      reference = value;
    } else if (flag === '--workers') {
      if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS)
        return E.left(`--workers: expected a whole number from 1 to ${MAX_WORKERS}, got ${quoted(value)}`);
      workers = Number(value);
    } else {
      const n = positive(flag, value);
      if (E.isLeft(n)) return n;
      if (flag === '--depth') depth = n.right;
      else maxStates = n.right;
    }
  }
  const json = f.switches.has('--json');
  if (world.right.name === 'complete' && !f.values.some(([flag]) => flag === '--max-states')) maxStates = COMPLETE_WORLD_STATES;
  if (reference !== undefined) {
    if (f.values.some(([flag]) => flag === '--design' || flag === '--invariant') || depth !== undefined || f.values.some(([flag]) => WORLD_FLAGS.includes(flag)) || f.switches.has('--save') || f.switches.has('--fingerprints') || f.switches.has('--go-on') || f.switches.has('--no-process-symmetry') || f.switches.has('--no-timing') || maxStates !== defaults.maxStates || workers !== 1)
      return E.left('--reference explores the reference model whole: it takes only --buggy and --json');
    return E.right({ command: 'reference', size: reference, buggy: f.switches.has('--buggy'), json });
  }
  if (f.switches.has('--buggy')) return E.left('--buggy goes with --reference');
  return E.right({
    command: 'explore',
    ...inCompleteWorld(sel.right, f, world.right),
    depth,
    maxStates,
    world: world.right,
    fingerprints: f.switches.has('--fingerprints'),
    goOn: f.switches.has('--go-on'),
    processSymmetry: !f.switches.has('--no-process-symmetry'),
    workers,
    json,
    save: f.switches.has('--save'),
    timing: !f.switches.has('--no-timing'),
  });
};

const parseReplay = (f: Flags): E.Either<string, ReplayArgs> => {
  let design: string | undefined;
  for (const [, value] of f.values) {
    const d = designOf(value);
    if (E.isLeft(d)) return d;
    design = d.right;
  }
  return E.right({ command: 'replay', files: f.positional, design });
};

const parseSave = (f: Flags): E.Either<string, SaveArgs> => {
  if (f.positional.length === 0) return E.left('save takes at least one FILE (or - for standard input)');
  const title = f.values.at(-1)?.[1];
  if (title !== undefined && (title.length > 200 || !/^[\x20-\x7e]*$/.test(title)))
    return E.left(`--title: expected one line of at most 200 printable ASCII characters, got ${quoted(title)}`);
  return E.right({ command: 'save', files: f.positional, title });
};

const parseReport = (f: Flags): E.Either<string, ReportArgs> => {
  if (f.positional.length !== 1) return E.left(`report takes exactly one FILE, got ${f.positional.length}`);
  let format: ReportFormat = 'text';
  for (const [, value] of f.values) {
    const known = reportFormats.find((x) => x === value);
    if (known === undefined) return E.left(`--format: expected one of ${reportFormats.join(', ')}, got ${quoted(value)}`);
    format = known;
  }
  return E.right({ command: 'report', file: f.positional[0]!, format });
};

const parseWitness = (f: Flags): E.Either<string, WitnessArgs> => {
  if (f.positional.length > 0) return E.left(`witness takes no file arguments, got ${quoted(f.positional[0]!)}`);
  const designs = f.values.filter(([flag]) => flag === '--design');
  if (designs.length !== 1) return E.left(`witness takes exactly one --design, got ${designs.length}`);
  const design = designOf(designs[0]![1]);
  if (E.isLeft(design)) return design;
  let depth: number | undefined;
  let maxStates: number = defaults.maxStates;
  let format: WitnessFormat = 'text';
  const reach: string[] = [];
  const world = worldFlagsOf(f);
  if (E.isLeft(world)) return world;
  for (const [flag, value] of f.values) {
    if (flag === '--design' || WORLD_FLAGS.includes(flag)) continue;
    if (flag === '--reach') reach.push(value);
    else if (flag === '--format') {
      const known = witnessFormats.find((x) => x === value);
      if (known === undefined) return E.left(`--format: expected one of ${witnessFormats.join(', ')}, got ${quoted(value)}`);
      format = known;
    } else {
      const n = positive(flag, value);
      if (E.isLeft(n)) return n;
      if (flag === '--depth') depth = n.right;
      else maxStates = n.right;
    }
  }
  return E.right({ command: 'witness', design: design.right, reach, depth, maxStates, world: world.right, format });
};

export const parseArgs = (argv: ReadonlyArray<string>): E.Either<string, Args> => {
  const [command, ...rest] = argv;
  if (command === 'help') {
    const topic = rest[0];
    if (topic === undefined) return E.right({ command: 'help' });
    return isCommand(topic) ? E.right({ command: 'help', topic }) : E.left(`help: unknown command ${quoted(topic)} (expected: check, explore, replay, save, report, witness)`);
  }
  if (command === undefined || argv.includes('--help') || argv.includes('-h')) return E.right(isCommand(command) ? { command: 'help', topic: command } : { command: 'help' });
  if (command === 'check')
    return E.chain(parseCheck)(split(rest, ['--design', '--invariant', '--runs', '--seed', '--seeds', '--max-commands', '--path', '--confirm-states', ...WORLD_FLAGS], ['--json', '--save', '--no-timing']));
  if (command === 'explore')
    return E.chain(parseExplore)(split(rest, ['--design', '--invariant', '--depth', '--max-states', '--reference', '--workers', ...WORLD_FLAGS], ['--json', '--save', '--buggy', '--no-timing', '--fingerprints', '--go-on', '--no-process-symmetry']));
  if (command === 'replay') return E.chain(parseReplay)(split(rest, ['--design'], []));
  if (command === 'save') return E.chain(parseSave)(split(rest, ['--title'], []));
  if (command === 'report') return E.chain(parseReport)(split(rest, ['--format'], []));
  if (command === 'witness') return E.chain(parseWitness)(split(rest, ['--design', '--reach', '--depth', '--max-states', ...WORLD_FLAGS, '--format'], []));
  return E.left(`unknown command ${quoted(command)} (expected: check, explore, replay, save, report, witness)`);
};
