/**
 * `dmacheck explore`: breadth-first search over every enabled step of a
 * design from its initial state, on the same operations and invariants as
 * the random search. A violation comes with a shortest trace (fewest
 * design steps); a hold names its bound.
 */
import { defaultWorld, describeWorld, inWorld, isDefaultWorld, showsEveryViolation, type World, worldError as worldErrorOf, worldFlags, worldFor, worldRecord } from '../model/designs/world-choice.ts';
import { designById } from '../model/designs/index.ts';
import { type Design, differs, type Expected } from '../model/designs/design.ts';
import { match } from 'ts-pattern';
import { type RemovalLiveness, removalLiveness } from '../properties/liveness.ts';
import { threadsOf } from '../properties/counterexample/threads.ts';
import { causesOf } from '../properties/counterexample/causes.ts';
import { formatSize, parseSize } from '../bench/reference/model.ts';
import { runReference } from '../bench/reference/run.ts';
import { savedLine, saveCounterexample, toCounterexampleFile } from '../properties/counterexample/save.ts';
import { type DmaExploration, exploreDesign, opsOf } from '../properties/explore-dma.ts';
import type { InvariantId } from '../properties/invariant.ts';
import { invariantById } from '../properties/registry.ts';
import { toJsonStep } from '../properties/trace.ts';
import { COUNTEREXAMPLES, type ExploreArgs, type ReferenceArgs } from './args.ts';
import { textReport } from './cite/text.ts';
import { counterexampleId } from '../properties/counterexample/format.ts';
import { describeEvents, formatOp, type TraceStep } from '../properties/trace.ts';

/** The file's `found.by` (at most 200 characters, as the format says), and a note naming the world when it does not fit there. */
const exploredBy = (world: World): { readonly by: string; readonly note?: string } => {
  const listed = `dmacheck explore (breadth-first${isDefaultWorld(world) ? '' : `, ${describeWorld(world)}`})`;
  if (listed.length <= 200) return { by: listed };
  return { by: 'dmacheck explore (breadth-first, in the world named in the note)', note: `Found in ${describeWorld(world)}.` };
};

/** What a hold or a header adds for a world other than the design's own: ` in world small (vmas=2)`, ` without fork`. */
const inWorldPhrase = (w: World): string => {
  const named = w.name !== 'default' || Object.keys(w.set).length > 0 ? ` in ${describeWorld({ ...w, without: [] })}` : '';
  return `${named}${w.without.length === 0 ? '' : ` without ${w.without.join(', ')}`}`;
};

export type ExploreVerdict = 'violated' | 'held' | 'held-bounded';

/** Depth up to which every trace was checked: traces of at most this many steps. */
export const depthCompleted = (e: DmaExploration, maxDepth: number | undefined): number =>
  e.result.complete ? e.result.maxDepth : e.result.stoppedBy === 'maxDepth' ? (maxDepth ?? e.result.maxDepth) : Math.max(0, e.result.maxDepth - 1);

export interface DesignExploration {
  readonly design: string;
  /** The world it was explored in (steps left out by `--without` among its parts). */
  readonly world: World;
  readonly exploration: DmaExploration;
  readonly depth: number;
  readonly results: ReadonlyArray<{ readonly invariant: InvariantId; readonly verdict: ExploreVerdict; readonly expected: Expected }>;
}

/** A progress line on stderr for runs longer than two seconds, only on a terminal and never in CI. */
const progressLine =
  (id: string) =>
  (p: { readonly depth: number; readonly states: number; readonly seconds: number }): void => {
    if (p.seconds > 2) process.stderr.write(`\r${id}: depth ${p.depth}, ${p.states} states, ${p.seconds.toFixed(0)}s   `);
  };

/** A world the named designs cannot run in: the one-line error, or null (model/designs/world-choice.ts). */
export const worldError = (designs: ReadonlyArray<string>, world: World): string | null => worldErrorOf(designs.map((id) => designById(id)!), world);

export const exploreOne = (
  id: string,
  invariants: ReadonlyArray<InvariantId>,
  depth: number | undefined,
  maxStates: number,
  progress = false,
  world: World = defaultWorld,
  store: 'exact' | 'fingerprint' = 'exact',
  goOn = false,
  workers = 1,
  processSymmetry = true,
): DesignExploration => {
  const own = designById(id)!;
  world = worldFor(own, world);
  const design = inWorld(own, world);
  const e = exploreDesign(design, invariants.map(invariantById), {
    ...(depth === undefined ? {} : { maxDepth: depth }),
    maxStates,
    // One invariant asked for: its first (shortest, breadth-first) violation is the answer.
    ...(invariants.length === 1 && !goOn ? { stopAtFirstViolation: new Set(invariants) } : {}),
    ...(progress ? { onLevel: progressLine(id) } : {}),
    processSymmetry,
  }, store, { source: { design: id, world }, workers });
  if (progress && e.result.seconds > 2) process.stderr.write('\r\x1b[K');
  const results = invariants.map((inv) => ({
    invariant: inv,
    verdict: (e.violations.some((v) => v.invariant === inv) ? 'violated' : e.result.complete ? 'held' : 'held-bounded') as ExploreVerdict,
    expected: design.expected[inv].verdict,
  }));
  return { design: id, world, exploration: e, depth: depthCompleted(e, depth), results };
};

const holdLine = (d: DesignExploration, inv: InvariantId): string =>
  (d.exploration.result.complete
    ? `held: whole reachable space explored (${d.exploration.result.states} states, depth ${d.depth})`
    : `held up to depth ${d.depth} (${d.exploration.result.states} states; bound reached)`) +
  inWorldPhrase(d.world) +
  (d.exploration.collisionProbability === undefined ? '' : ` (fingerprints: a state missed with probability at most ${d.exploration.collisionProbability.toExponential(1)})`) +
  ((d.exploration.exercised.get(inv) ?? 0) === 0 ? ' [vacuous: never exercised]' : '');

/** The removal liveness of each design in the arguments' world, computed once per design and arguments (text and JSON both ask). */
const removals = new WeakMap<ExploreArgs, Map<string, RemovalLiveness | null>>();

/**
 * For a design whose provider has P2PDMA pages: can a started removal
 * always still complete (properties/liveness.ts)? null for other designs.
 */
const removalOf = (id: string, args: ExploreArgs): RemovalLiveness | null => {
  const known = removals.get(args) ?? new Map<string, RemovalLiveness | null>();
  removals.set(args, known);
  if (known.has(id)) return known.get(id)!;
  const design = inWorld(designById(id)!, args.world);
  const r = !design.world.bars.some((b) => b.structPages) || ![...design.driver, ...design.environment].some((t) => t.name === 'pci_stop_and_remove_bus_device') ? null : removalLiveness(design, args.maxStates, undefined, args.processSymmetry);
  known.set(id, r);
  return r;
};

/**
 * Does a removal liveness contradict what `design` expects? A hang where
 * the design expects every removal to complete, or a removal that can
 * always complete, over the whole reachable space, where it expects a
 * hang. A bound reached first decides nothing, and (`excused`) a world
 * smaller than the design's own may lack what its expected hang needs, as
 * it may lack what an expected violation needs.
 */
export const removalContradicts = (design: Design, r: RemovalLiveness | null, excused = false): boolean =>
  r !== null && (design.removalHangs === undefined ? r.kind === 'hangs' : !excused && r.kind === 'completes' && r.complete);

/** What a removal line adds about the design's expectation (`excused`: a world smaller than the design's own). */
const removalExpectation = (design: Design, r: RemovalLiveness, excused: boolean): string =>
  design.removalHangs !== undefined
    ? r.kind === 'hangs'
      ? ' As the design expects.'
      : r.kind === 'completes' && r.complete
        ? excused
          ? ' The design expects a hang in its own world; this smaller world may lack what the hang needs.'
          : ' NOT AS EXPECTED: the design expects this removal to hang.'
        : ''
    : r.kind === 'hangs'
      ? ' NOT AS EXPECTED: the design expects every removal to complete.'
      : '';

/** A removal trace, a numbered line per call with its effects under it. */
const traceLines = (trace: ReadonlyArray<TraceStep>): ReadonlyArray<string> =>
  trace.map((t, i) => `  ${String(i + 1).padStart(2)}. ${formatOp(t.op)}${describeEvents(t.events).length > 0 ? `\n      -> ${describeEvents(t.events).join('; ')}` : ''}`);

export const removalLine = (id: string, args: ExploreArgs): string | null => {
  const r = removalOf(id, args);
  if (r === null) return null;
  const head = `${id}  provider removal  `;
  const expectation = removalExpectation(designById(id)!, r, !showsEveryViolation(args.world));
  return match(r)
    .with({ kind: 'no-removal' }, (x) => `${head}never started within the bound (${x.states} states)${expectation}`)
    .with({ kind: 'completes' }, (x) =>
      `${head}can always complete by the drivers' own steps: from every state with a removal under way, the drivers' steps and the kernel finishing its work can reach its end; a path exists, nothing forces the drivers onto it (${x.complete ? 'whole reachable space' : 'every explored state, bound reached'}, ${x.states} states, ${x.started} with a removal under way)${expectation}`,
    )
    .with({ kind: 'waits' }, (x) =>
      [
        `${head}WAITS for a step outside the drivers: memunmap_pages() can complete only after ${x.outside.length === 0 ? 'several steps outside the drivers' : x.outside.join(' or ')} (${x.states} states).${expectation} Shortest trace to such a state:`,
        ...traceLines(x.trace),
      ].join('\n'),
    )
    .with({ kind: 'undecided' }, (x) => `${head}undecided: a removal under way reaches no end within the bound (${x.states} states)${expectation}`)
    .with({ kind: 'hangs' }, (x) =>
      [
        `${head}HANGS: memunmap_pages() waits forever for ${[...(x.held.length === 0 ? [] : [`pfn ${x.held.join(', ')}`]), ...(x.pgmapRefs === 0 ? [] : [`${x.pgmapRefs} pgmap reference(s) that no page holds`])].join(' and ')}; no step can drop the reference (${x.states} states).${expectation} Shortest trace:`,
        ...traceLines(x.trace),
      ].join('\n'),
    )
    .exhaustive();
};

const peakRssMB = (): number => process.resourceUsage().maxRSS / 1024;

/** The text output's first lines (the bounds and the table's head) and a design's row of the table. */
const tableOf = (args: ExploreArgs): { readonly head: ReadonlyArray<string>; readonly row: (d: DesignExploration) => string } => {
  const w = args.world;
  const smaller =
    (w.name === 'default' && Object.keys(w.set).length === 0 ? '' : `; ${describeWorld({ ...w, without: [] })}`) +
    (w.without.length === 0 ? '' : `; a smaller world, without ${w.without.join(', ')}`);
  const wd = Math.max(6, ...args.designs.map((d) => d.length));
  const rate = (s: string) => (args.timing ? `  ${s.padStart(8)}` : '');
  const time = (s: string) => (args.timing ? `  ${s.padStart(6)}` : '');
  const head = `${'design'.padEnd(wd)}  ${'states'.padStart(7)}  ${'transitions'.padStart(11)}  depth${rate('states/s')}  ${'bytes/state'.padStart(11)}${time('time')}`;
  return {
    head: [
      `dmacheck explore: ${args.designs.length} design(s); bounds: ${args.depth === undefined ? 'no depth bound' : `depth ${args.depth}`}, ${args.maxStates} states per design${smaller}${args.processSymmetry ? '' : '; process symmetry off'}\n`,
      head,
      '-'.repeat(head.length),
    ],
    row: (d) => {
      const r = d.exploration.result;
      return `${d.design.padEnd(wd)}  ${String(r.states).padStart(7)}  ${String(r.transitions).padStart(11)}  ${String(d.depth).padStart(5)}${rate(Math.round(r.statesPerSecond).toString())}  ${Math.round(d.exploration.bytesPerState).toString().padStart(11)}${time(`${r.seconds.toFixed(1)}s`)}`;
    },
  };
};

export const exploreCommand = (args: ExploreArgs): number => {
  const progress = !args.json && process.stderr.isTTY === true && process.env.CI === undefined;
  const bad = worldError(args.designs, args.world);
  if (bad !== null) {
    console.error(`dmacheck: ${bad}`);
    return 2;
  }
  // The text table's head and each design's row are printed as the designs finish (a complete world
  // can take minutes); what follows the table needs them all. The bytes are the same either way.
  const table = args.json ? null : tableOf(args);
  if (table !== null) for (const line of table.head) console.log(line);
  const all = args.designs.map((id) => {
    const d = exploreOne(id, args.invariants, args.depth, args.maxStates, progress, args.world, args.fingerprints ? 'fingerprint' : 'exact', args.goOn, args.workers, args.processSymmetry);
    if (table !== null) console.log(table.row(d));
    return d;
  });
  const saved: string[] = [];
  let unsaved = false;
  if (args.save)
    for (const d of all)
      for (const v of d.exploration.violations) {
        const { by, note } = exploredBy(d.world);
        const file = toCounterexampleFile(designById(d.design)!, v.invariant, opsOf(v), { by }, undefined, note, d.world);
        const r = savedLine(saveCounterexample(COUNTEREXAMPLES, file));
        if (r.ok) saved.push(r.line);
        else {
          console.error(`dmacheck: ${r.line}`);
          unsaved = true;
        }
      }
  const results = all.flatMap((d) => d.results);
  // A bounded hold cannot contradict an expected violation: it may lie beyond the bound.
  // In a world other than the design's own, an expected violation it lacks what to show is not a contradiction (as check says).
  // The complete world claims every expected violation shows in it: there a missing one counts.
  const excused = !showsEveryViolation(args.world);
  const mismatches = all
    .flatMap((d) => d.results.map((r) => ({ ...r, design: d.design })))
    .filter((r) => differs(r.expected, r.verdict === 'violated' ? 'violated' : 'held') && r.verdict !== 'held-bounded' && !(r.expected === 'violated' && excused)).length;
  const removalMismatches = all.filter((d) => removalContradicts(designById(d.design)!, removalOf(d.design, args), excused)).length;
  const beyond = results.filter((r) => r.verdict === 'held-bounded' && r.expected === 'violated').length;
  const states = all.reduce((n, d) => n + d.exploration.result.states, 0);
  const seconds = all.reduce((n, d) => n + d.exploration.result.seconds, 0);
  if (args.json) {
    const bytes = all.reduce((n, d) => n + d.exploration.bytesPerState * d.exploration.result.states, 0);
    console.log(
      JSON.stringify(
        {
          results: all.flatMap((d) =>
            d.results.map((r) => {
              const v = d.exploration.violations.find((x) => x.invariant === r.invariant);
              return {
                design: d.design,
                invariant: r.invariant,
                verdict: r.verdict,
                expected: r.expected,
                depth: v === undefined ? d.depth : v.depth,
                exercised: d.exploration.exercised.get(r.invariant) ?? 0,
                ...(r.verdict === 'held-bounded' && r.expected === 'violated' ? { notWithinBound: true } : {}),
                ...(v === undefined && (d.exploration.exercised.get(r.invariant) ?? 0) === 0 ? { vacuous: true } : {}),
                ...(v === undefined ? {} : { steps: opsOf(v).map(toJsonStep), message: v.message }),
              };
            }),
          ),
          designs: all.map((d) => ({
            design: d.design,
            ...(d.world.without.length === 0 ? {} : { without: d.world.without }),
            ...(d.world.name === 'default' && Object.keys(d.world.set).length === 0 ? {} : { world: { name: d.world.name, set: d.world.set } }),
            ...((r) =>
              r === null
                ? {}
                : {
                    providerRemoval: {
                      ...(r.kind === 'hangs'
                        ? { kind: r.kind, held: r.held, pgmapRefs: r.pgmapRefs, steps: r.trace.map((t) => toJsonStep(t.op)) }
                        : r.kind === 'waits'
                          ? { kind: r.kind, outside: r.outside, steps: r.trace.map((t) => toJsonStep(t.op)) }
                          : { kind: r.kind }),
                      expected: designById(d.design)!.removalHangs === undefined ? 'completes' : 'hangs',
                      asExpected: !removalContradicts(designById(d.design)!, r, !showsEveryViolation(args.world)),
                    },
                  })(removalOf(d.design, args)),
            states: d.exploration.result.states,
            transitions: d.exploration.result.transitions,
            depth: d.depth,
            complete: d.exploration.result.complete,
            bytesPerState: Math.round(d.exploration.bytesPerState),
            ...(d.exploration.collisionProbability === undefined ? {} : { fingerprints: { bits: 53, collisionProbability: d.exploration.collisionProbability } }),
          })),
          ...(args.processSymmetry ? {} : { processSymmetry: false }),
          states,
          transitions: all.reduce((n, d) => n + d.exploration.result.transitions, 0),
          bytesPerState: Math.round(bytes / states),
          complete: all.every((d) => d.exploration.result.complete),
          // Wall-clock figures live here alone, so that `--no-timing` output is the same on every run.
          ...(args.timing
            ? {
                timing: {
                  seconds: Number(seconds.toFixed(3)),
                  statesPerSecond: Math.round(states / seconds),
                  peakRssMB: Math.round(peakRssMB()),
                  designs: all.map((d) => ({
                    design: d.design,
                    seconds: Number(d.exploration.result.seconds.toFixed(3)),
                    statesPerSecond: Math.round(d.exploration.result.statesPerSecond),
                    ...(d.exploration.workers === undefined ? {} : { workers: d.exploration.workers }),
                  })),
                },
              }
            : {}),
        },
        null,
        2,
      ),
    );
    for (const l of saved) console.error(l);
    return unsaved ? 2 : mismatches + removalMismatches === 0 ? 0 : 1;
  }
  const wd = Math.max(6, ...all.map((d) => d.design.length));
  const wi = Math.max(9, ...args.invariants.map((i) => i.length));
  console.log('');
  for (const d of all)
    for (const r of d.results) {
      const v = d.exploration.violations.find((x) => x.invariant === r.invariant);
      const what =
        v === undefined
          ? holdLine(d, r.invariant)
          : `violated: shortest trace ${v.depth} step(s), ${v.trace.length} kernel call(s)${d.world.without.length === 0 ? '' : ' (shortest without the left-out steps)'}`;
      const mark =
        r.expected === 'unknown'
          ? `  (unknown -> ${r.verdict === 'violated' ? 'violated' : r.verdict === 'held-bounded' ? 'held (bounded)' : args.world.name === 'complete' && showsEveryViolation(args.world) ? 'held (complete world)' : 'held (whole space of this world, not its complete world)'})`
          : (r.verdict === 'violated') === (r.expected === 'violated')
          ? ''
          : r.verdict === 'held-bounded'
            ? '  (expected violated: not within this bound)'
            : `  (EXPECTED ${r.expected})`;
      console.log(`${d.design.padEnd(wd)}  ${r.invariant.padEnd(wi)}  ${what}${mark}`);
    }
  for (const d of all)
    for (const v of d.exploration.violations) {
      const id = counterexampleId(d.design, opsOf(v).map(toJsonStep), isDefaultWorld(d.world) ? undefined : worldRecord(d.world));
      const report = textReport({
        id,
        source: '',
        title: undefined,
        design: d.design,
        invariant: v.invariant,
        violatesAt: v.trace.length,
        steps: v.trace.map((t, i) => ({ n: i + 1, call: formatOp(t.op), effects: describeEvents(t.events) })),
        violation: v.message,
        replay: ['npx', 'dmacheck', 'explore', '--design', d.design, '--invariant', v.invariant, ...(args.depth === undefined ? [] : ['--depth', String(args.depth)]), '--max-states', String(args.maxStates), ...worldFlags(d.world), '--save'],
        found: `breadth-first exploration: a shortest trace, ${v.depth} design step(s)${isDefaultWorld(d.world) ? '' : `, ${describeWorld(d.world)}`}`,
        ...(isDefaultWorld(d.world) ? {} : { world: worldRecord(d.world) }),
        threads: threadsOf(inWorld(designById(d.design)!, d.world), opsOf(v)),
        causes: causesOf(inWorld(designById(d.design)!, d.world), opsOf(v), v.invariant, v.trace.length),
      });
      console.log(`\n${report.trimEnd()}`);
    }
  for (const d of all) {
    const line = removalLine(d.design, args);
    if (line !== null) console.log(`\n${line}`);
  }
  if (saved.length > 0) console.log(`\n${saved.join('\n')}`);
  for (const d of all)
    if (d.exploration.collisionProbability !== undefined)
      console.log(
        `\n${d.design}: fingerprints (53-bit hash compaction, ${Math.round(d.exploration.bytesPerState)} bytes/state): the chance that two of its ${d.exploration.result.states} states shared a fingerprint, so that one went unexplored, is at most ${d.exploration.collisionProbability.toExponential(1)}`,
      );
  const timing = args.timing ? ` in ${seconds.toFixed(1)}s (${Math.round(states / seconds)} states/s); peak RSS ${peakRssMB().toFixed(0)} MB` : '';
  const violated = results.filter((r) => r.verdict === 'violated');
  const whole = results.filter((r) => r.verdict === 'held').length;
  const bounded = results.filter((r) => r.verdict === 'held-bounded').length;
  const unexpected = violated.filter((r) => r.expected === 'held').length;
  console.log(
    `\n${states} states${timing}; ${violated.length} violated (${unexpected === 0 ? 'all expected' : `${unexpected} not expected`}), ${whole + bounded} held (${whole} over the whole reachable space, ${bounded} up to a bound)${beyond > 0 ? `; ${beyond} expected violation(s) not within the bound` : ''}`,
  );
  const contradictions = mismatches + removalMismatches;
  console.log(
    contradictions === 0
      ? "exit status 0: no verdict contradicts its design's expectation (a violation beyond the bound does not)"
      : `exit status 1: ${contradictions} verdict(s) contradict the design's expectation${removalMismatches === 0 ? '' : ` (${removalMismatches} of them a provider removal's liveness)`}`,
  );
  return unsaved ? 2 : contradictions === 0 ? 0 : 1;
};

export const referenceCommand = (args: ReferenceArgs): number => {
  let r: ReturnType<typeof runReference>;
  try {
    r = runReference(parseSize(args.size), args.buggy);
  } catch (err) {
    // The model refuses sizes it cannot encode (more than 30 BAR pages, keys past 2**53).
    console.error(`dmacheck: --reference: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  if (args.json) {
    console.log(JSON.stringify(r));
    return 0;
  }
  console.log(`reference model ${formatSize(parseSize(args.size))} (${r.design})`);
  console.log(`  states ${r.states}${r.complete ? ' (whole reachable space)' : ''}, transitions ${r.transitions}, depth ${r.maxDepth}`);
  console.log(`  ${r.seconds.toFixed(2)}s, ${Math.round(r.statesPerSecond)} states/s, ${r.bytesPerState.toFixed(1)} bytes/state, peak RSS ${r.peakRssMB.toFixed(0)} MB`);
  if (args.buggy) console.log(`  shortest: I1=${r.shortest.I1} I2=${r.shortest.I2} I3=${r.shortest.I3}`);
  return 0;
};
