/**
 * Benchmark of the explorer on the DMA model, per design, at the default
 * bounds: distinct states, states/s, bytes/state; for each expected
 * violation, time to the first (shortest) one with exploration stopping
 * there, its length in design steps and kernel calls, and how long the
 * fast-check shrunk traces are in the same unit (20 seeds).
 *
 *   npx tsx bench/explore.ts      (part of npm run bench; writes bench/out/explore.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { defaults } from '../cli/args.ts';
import { budgetOf } from '../model/designs/design.ts';
import { designs } from '../model/designs/index.ts';
import { exploreDesign } from '../properties/explore-dma.ts';
import { invariantIds } from '../properties/invariant.ts';
import { invariantById, invariants } from '../properties/registry.ts';
import { search } from '../properties/search.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
const rows: object[] = [];
const violations: object[] = [];
console.log(`explorer on the DMA model, default bounds (${defaults.maxStates} states per design, no depth bound)`);
console.log(`${'design'.padEnd(22)} ${'states'.padStart(7)} ${'depth'.padStart(5)} ${'complete'.padStart(8)} ${'states/s'.padStart(9)} ${'bytes/st'.padStart(9)} ${'time'.padStart(6)}   fingerprints: ${'states/s'.padStart(9)} ${'bytes/st'.padStart(9)} collision p`);
for (const d of designs) {
  const e = exploreDesign(d, invariants, { maxStates: defaults.maxStates });
  // The same run with hash compaction (--fingerprints), side by side: the same states, fewer bytes.
  const f = exploreDesign(d, invariants, { maxStates: defaults.maxStates }, 'fingerprint');
  const r = e.result;
  if (f.result.states !== r.states) throw new Error(`${d.id}: fingerprints explored ${f.result.states} states, exact ${r.states}`);
  rows.push({
    design: d.id, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, complete: r.complete, seconds: r.seconds, statesPerSecond: r.statesPerSecond, bytesPerState: e.bytesPerState,
    fingerprints: { statesPerSecond: f.result.statesPerSecond, bytesPerState: f.bytesPerState, collisionProbability: f.collisionProbability },
  });
  console.log(
    `${d.id.padEnd(22)} ${String(r.states).padStart(7)} ${String(r.maxDepth).padStart(5)} ${String(r.complete).padStart(8)} ${Math.round(r.statesPerSecond).toString().padStart(9)} ${Math.round(e.bytesPerState).toString().padStart(9)} ${`${r.seconds.toFixed(1)}s`.padStart(6)}                 ${Math.round(f.result.statesPerSecond).toString().padStart(9)} ${Math.round(f.bytesPerState).toString().padStart(9)} ${(f.collisionProbability ?? 0).toExponential(1)}`,
  );
}
console.log(`\nexpected violations: time to the first one (BFS stops there), shortest length, fast-check shrunk length over 20 seeds`);
console.log(`${'design'.padEnd(22)} ${'invariant'.padEnd(24)} ${'time'.padStart(7)} ${'states'.padStart(7)} shortest(steps/calls)  fast-check steps min/median/max (longer on)`);
for (const d of designs)
  for (const id of invariantIds.filter((i) => d.expected[i].verdict === 'violated')) {
    const e = exploreDesign(d, [invariantById(id)], { maxStates: defaults.maxStates, stopAtFirstViolation: true });
    const v = e.violations[0];
    const moves = seeds.map((seed) => search(d, [invariantById(id)], { seed, ...budgetOf(d, defaults.runs, defaults.maxCommands) }).found?.units ?? NaN).sort((a, b) => a - b);
    const longer = v === undefined ? 0 : moves.filter((m) => m > v.depth).length;
    violations.push({ design: d.id, invariant: id, seconds: e.result.seconds, states: e.result.states, shortestSteps: v?.depth ?? null, shortestCalls: v?.trace.length ?? null, fastCheckSteps: moves, longerOnSeeds: longer });
    console.log(
      `${d.id.padEnd(22)} ${id.padEnd(24)} ${`${e.result.seconds.toFixed(2)}s`.padStart(7)} ${String(e.result.states).padStart(7)} ${`${v?.depth ?? '-'}/${v?.trace.length ?? '-'}`.padStart(21)}  ${moves[0]}/${moves[10]}/${moves[19]} (${longer}/20)`,
    );
  }
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/explore.json', JSON.stringify({ maxStates: defaults.maxStates, designs: rows, violations }, null, 2));
console.log('\nwrote bench/out/explore.json');
