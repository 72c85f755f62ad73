/**
 * Explore one size of the reference model and print the numbers.
 *
 *   npx tsx bench/reference/run.ts P-V-B-M [--buggy] [--json] [--generic]
 *
 * --generic uses the engine's object path (next/encode) instead of the
 * incremental-key path, for comparison.
 */
import { explore, traceNames } from '../../properties/explorer/engine.ts';
import { formatSize, parseSize, ReferenceModel, type ReferenceSize } from './model.ts';

export interface RunReport {
  readonly size: string;
  readonly design: 'fixed' | 'buggy';
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly complete: boolean;
  readonly deadlocks: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly transitionsPerSecond: number;
  readonly bytesPerState: number;
  /** Peak resident set size of the whole process so far, in MB. */
  readonly peakRssMB: number;
  /** Shortest counterexample length per invariant (null if none was found). */
  readonly shortest: { readonly I1: number | null; readonly I2: number | null; readonly I3: number | null };
  readonly traces: Readonly<Record<string, ReadonlyArray<string>>>;
}

export const runReference = (size: ReferenceSize, buggy: boolean, generic = false): RunReport => {
  const model = new ReferenceModel(size, buggy);
  const r = explore(model, { generic });
  const len = (id: string): number | null => r.violations.get(id)?.depth ?? null;
  const traces: Record<string, ReadonlyArray<string>> = {};
  for (const [id, v] of [...r.violations].sort(([a], [b]) => (a < b ? -1 : 1))) traces[id] = traceNames(model, v.trace);
  return {
    size: formatSize(size),
    design: buggy ? 'buggy' : 'fixed',
    states: r.states,
    transitions: r.transitions,
    maxDepth: r.maxDepth,
    complete: r.complete,
    deadlocks: r.deadlocks,
    seconds: r.seconds,
    statesPerSecond: r.statesPerSecond,
    transitionsPerSecond: r.transitions / r.seconds,
    bytesPerState: r.bytesPerState,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    shortest: { I1: len('I1'), I2: len('I2'), I3: len('I3') },
    traces,
  };
};

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const main = (): void => {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && !['--buggy', '--json', '--generic'].includes(a));
  if (sizes.length !== 1 || unknown.length > 0) {
    console.error('usage: tsx bench/reference/run.ts P-V-B-M [--buggy] [--json] [--generic]');
    process.exit(2);
  }
  const buggy = args.includes('--buggy');
  const r = runReference(parseSize(sizes[0]!), buggy, args.includes('--generic'));
  if (args.includes('--json')) {
    console.log(JSON.stringify(r));
    return;
  }
  console.log(`reference model ${r.size} (${r.design})`);
  console.log(`  states        ${fmt(r.states)}${r.complete ? '' : ' (incomplete)'}`);
  console.log(`  transitions   ${fmt(r.transitions)}`);
  console.log(`  max depth     ${r.maxDepth}`);
  console.log(`  deadlocks     ${r.deadlocks}`);
  console.log(`  seconds       ${r.seconds.toFixed(2)}`);
  console.log(`  states/s      ${fmt(r.statesPerSecond)}`);
  console.log(`  transitions/s ${fmt(r.transitionsPerSecond)}`);
  console.log(`  bytes/state   ${r.bytesPerState.toFixed(1)}`);
  console.log(`  peak RSS      ${r.peakRssMB.toFixed(0)} MB`);
  if (buggy) {
    console.log(`  shortest      I1=${r.shortest.I1} I2=${r.shortest.I2} I3=${r.shortest.I3}`);
    for (const [id, t] of Object.entries(r.traces)) console.log(`    ${id}: ${t.join(', ')}`);
  }
};

// Run as a script only (a bundle that includes this module is not it).
if (/bench\/reference\/run\.ts$/.test(process.argv[1] ?? '')) main();
