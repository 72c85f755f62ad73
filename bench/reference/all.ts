/**
 * Explore every size of the reference-model spec's tables, fixed and buggy,
 * and check the counts against them. Each size runs in its own process
 * (bench/reference/run.ts --json), one at a time, so timings and peak RSS
 * are per size.
 *
 *   npx tsx bench/reference/all.ts [SIZE...]     (default: every size)
 *
 * Exit status 1 if any count differs from the table.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunReport } from './run.ts';

interface Expected {
  readonly size: string;
  readonly design: 'fixed' | 'buggy';
  readonly states: number;
  readonly edges: number;
  /** Max BFS depth (the spec gives it for the fixed design only). */
  readonly depth: number | null;
}

const fixed: ReadonlyArray<[string, number, number, number]> = [
  ['3-2-2-2', 1_288, 9_606, 13],
  ['4-3-2-3', 66_824, 771_314, 19],
  ['5-3-2-3', 129_172, 1_516_050, 20],
  ['6-3-2-3', 249_656, 2_977_714, 21],
  ['7-3-2-3', 490_624, 5_959_762, 22],
  ['8-3-2-3', 964_136, 11_922_162, 23],
  ['6-3-2-4', 1_822_284, 25_529_760, 23],
  ['8-4-2-3', 3_605_248, 50_670_656, 27],
];

const buggy: ReadonlyArray<[string, number, number]> = [
  ['3-2-2-2', 3_232, 30_192],
  ['4-3-2-3', 294_272, 4_135_040],
  ['5-3-2-3', 588_544, 8_564_352],
  ['6-3-2-3', 1_177_088, 17_717_248],
  ['7-3-2-3', 2_354_176, 36_611_584],
  ['8-3-2-3', 4_708_352, 75_577_344],
  ['6-3-2-4', 11_758_080, 211_156_480],
  ['8-4-2-3', 20_598_784, 355_549_184],
];

/** Shortest counterexamples in the buggy design, at every size. */
const SHORTEST = { I1: 2, I2: 3, I3: 4 } as const;

const table: Expected[] = [
  ...fixed.map(([size, states, edges, depth]): Expected => ({ size, design: 'fixed', states, edges, depth })),
  ...buggy.map(([size, states, edges]): Expected => ({ size, design: 'buggy', states, edges, depth: null })),
];

const runScript = fileURLToPath(new URL('./run.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

const runOne = (e: Expected): RunReport => {
  const args = [runScript, e.size, '--json', ...(e.design === 'buggy' ? ['--buggy'] : [])];
  const out = execFileSync(tsx, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out) as RunReport;
};

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const main = (): void => {
  const only = process.argv.slice(2);
  const rows = only.length === 0 ? table : table.filter((e) => only.includes(e.size));
  const head = `${'size'.padEnd(8)} ${'design'.padEnd(6)} ${'states'.padStart(11)} ${'edges'.padStart(12)} ${'depth'.padStart(5)}  shortest  ${'check'.padEnd(5)} ${'seconds'.padStart(7)} ${'states/s'.padStart(9)} ${'B/state'.padStart(7)} ${'peak RSS'.padStart(8)}`;
  console.log(head);
  console.log('-'.repeat(head.length));
  let failures = 0;
  const t0 = performance.now();
  for (const e of rows) {
    const r = runOne(e);
    const problems: string[] = [];
    if (r.states !== e.states) problems.push(`states ${r.states} != ${e.states}`);
    if (r.transitions !== e.edges) problems.push(`edges ${r.transitions} != ${e.edges}`);
    if (e.depth !== null && r.maxDepth !== e.depth) problems.push(`depth ${r.maxDepth} != ${e.depth}`);
    if (!r.complete) problems.push('incomplete');
    if (r.deadlocks !== 0) problems.push(`${r.deadlocks} deadlocks`);
    const sh = r.shortest;
    if (e.design === 'buggy') {
      if (sh.I1 !== SHORTEST.I1 || sh.I2 !== SHORTEST.I2 || sh.I3 !== SHORTEST.I3) problems.push(`shortest ${JSON.stringify(sh)}`);
    } else if (sh.I1 !== null || sh.I2 !== null || sh.I3 !== null) problems.push(`violation in fixed design ${JSON.stringify(sh)}`);
    const shortest = e.design === 'buggy' ? `${sh.I1}/${sh.I2}/${sh.I3}` : '-';
    if (problems.length > 0) failures++;
    console.log(
      `${r.size.padEnd(8)} ${r.design.padEnd(6)} ${fmt(r.states).padStart(11)} ${fmt(r.transitions).padStart(12)} ${String(r.maxDepth).padStart(5)}  ${shortest.padEnd(8)}  ${(problems.length === 0 ? 'pass' : 'FAIL').padEnd(5)} ${r.seconds.toFixed(2).padStart(7)} ${fmt(r.statesPerSecond).padStart(9)} ${r.bytesPerState.toFixed(1).padStart(7)} ${`${r.peakRssMB.toFixed(0)} MB`.padStart(8)}`,
    );
    for (const p of problems) console.log(`    ${p}`);
  }
  console.log('-'.repeat(head.length));
  const total = (performance.now() - t0) / 1000;
  console.log(`${rows.length - failures}/${rows.length} sizes match the spec's tables (shortest = I1/I2/I3 trace lengths); ${total.toFixed(1)} s in all, skipped none.`);
  if (failures > 0) process.exitCode = 1;
};

main();
