/**
 * Benchmark of the fast-check search on every design, at the default
 * budget: for each expected violation, over 20 seeds, how many runs and
 * how long until it is found and how long the shrunk trace is; for the
 * held invariants, runs and kernel calls per second. Exits 1 when a search
 * misses a seed that bench/reliability.ts says it finds on.
 *
 *   npm run bench            (writes bench/out/search.json too)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { defaults } from '../cli/args.ts';
import { budgetOf } from '../model/designs/design.ts';
import { designs } from '../model/designs/index.ts';
import { invariantIds } from '../properties/invariant.ts';
import { invariantById } from '../properties/registry.ts';
import { search } from '../properties/search.ts';
import { mustFindOn, RELIABILITY_SEEDS } from './reliability.ts';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const budget = { runs: defaults.runs, maxCommands: defaults.maxCommands };
const seeds = RELIABILITY_SEEDS;
const regressions: string[] = [];
const violations: object[] = [];
const holds: object[] = [];

console.log(`fast-check search, ${budget.runs} runs of up to ${budget.maxCommands} steps, seeds 1..20`);
console.log('\nexpected violations (median over 20 seeds):');
console.log(`${'design'.padEnd(22)} ${'invariant'.padEnd(24)} found  runs (max)  time(ms)  shrunk-len (min..max)`);
for (const d of designs) {
  for (const id of invariantIds.filter((i) => d.expected[i].verdict === 'violated')) {
    const rs = seeds.map((seed) => search(d, [invariantById(id)], { seed, ...budgetOf(d, budget.runs, budget.maxCommands) }));
    const found = rs.filter((r) => r.found !== null);
    const missed = seeds.filter((_, i) => rs[i]!.found === null);
    const worse = mustFindOn(`${d.id}/${id}`, seeds).filter((s) => missed.includes(s));
    if (worse.length > 0) regressions.push(`${d.id}/${id}: missed seeds ${worse.join(', ')}, which bench/reliability.ts says it finds on`);
    const lens = found.map((r) => r.found!.trace.length);
    const row = {
      design: d.id,
      invariant: id,
      found: found.length,
      medianRuns: median(found.map((r) => r.runs)),
      maxRuns: Math.max(...found.map((r) => r.runs)),
      medianMs: median(rs.map((r) => r.ms)),
      medianShrunkLength: median(lens),
      minShrunkLength: Math.min(...lens),
      maxShrunkLength: Math.max(...lens),
    };
    violations.push(row);
    console.log(
      `${d.id.padEnd(22)} ${id.padEnd(24)} ${`${row.found}/20`.padStart(5)} ${String(row.medianRuns).padStart(5)} ${`(${row.maxRuns})`.padStart(6)} ${row.medianMs.toFixed(0).padStart(9)}  ${row.medianShrunkLength} (${row.minShrunkLength}..${row.maxShrunkLength})`,
    );
  }
}
console.log('\nheld invariants (one search per design, seed 1):');
console.log(`${'design'.padEnd(22)} ${'runs'.padStart(6)} ${'time(s)'.padStart(8)} ${'runs/s'.padStart(8)} ${'calls/s'.padStart(9)}`);
for (const d of designs) {
  const ids = invariantIds.filter((i) => d.expected[i].verdict === 'held');
  const r = search(d, ids.map(invariantById), { seed: 1, ...budgetOf(d, budget.runs, budget.maxCommands) });
  const row = { design: d.id, invariants: ids, runs: r.runs, seconds: r.ms / 1000, runsPerSecond: r.runs / (r.ms / 1000), callsPerSecond: r.calls / (r.ms / 1000), violated: r.found?.violation.invariant ?? null };
  holds.push(row);
  // A second seed beside check's 2019 (npm test asserts that one): a hold it breaks is a regression.
  if (row.violated !== null) regressions.push(`${d.id} was expected to hold ${row.violated}, and seed 1 violates it`);
  console.log(
    `${d.id.padEnd(22)} ${String(r.runs).padStart(6)} ${row.seconds.toFixed(2).padStart(8)} ${row.runsPerSecond.toFixed(0).padStart(8)} ${row.callsPerSecond.toFixed(0).padStart(9)}${row.violated === null ? '' : `  UNEXPECTED ${row.violated}`}`,
  );
}
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/search.json', JSON.stringify({ budget, violations, holds }, null, 2));
console.log('\nwrote bench/out/search.json');
if (regressions.length > 0) {
  for (const r of regressions) console.log(`REGRESSION ${r}`);
  process.exit(1);
}
