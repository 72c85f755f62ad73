/**
 * Where the last mutation run's time went (`npm run mutate:timing`): reads
 * reports/mutation/timing.json (bench/stryker-timing-reporter.mjs) and prints
 * wall-clock seconds by status and the files that cost most. Each mutant is
 * charged the wall time between the result before it and its own: with two
 * workers that is about half of its own run, and the charges add up to the
 * run's wall time after the dry run.
 *
 *   npm run mutate:timing  [timing.json]
 */
import { readFileSync } from 'node:fs';

interface Row {
  readonly file: string;
  readonly line: number;
  readonly mutator: string;
  readonly status: string;
  readonly at: number;
  readonly netTime: number;
  readonly timeout: number;
  readonly tests: number | null;
}

interface Timing {
  readonly started: string;
  readonly dryRunMs: number | null;
  readonly totalMs: number;
  readonly mutants: ReadonlyArray<Row>;
}

interface Sum {
  n: number;
  ms: number;
}

const add = (m: Map<string, Sum>, key: string, ms: number): void => {
  const s = m.get(key) ?? { n: 0, ms: 0 };
  m.set(key, { n: s.n + 1, ms: s.ms + ms });
};

const seconds = (ms: number): string => (ms / 1000).toFixed(0).padStart(6);

const table = (title: string, m: Map<string, Sum>, limit: number): string[] => [
  title,
  ...[...m.entries()]
    .sort((a, b) => b[1].ms - a[1].ms || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([k, s]) => `${seconds(s.ms)} s ${String(s.n).padStart(6)} mutants ${(s.ms / s.n / 1000).toFixed(2).padStart(6)} s each  ${k}`),
];

const main = (path: string): number => {
  let t: Timing;
  try {
    t = JSON.parse(readFileSync(path, 'utf8')) as Timing;
  } catch (e) {
    process.stderr.write(`mutation-timing: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const rows = [...t.mutants].sort((a, b) => a.at - b.at);
  const byStatus = new Map<string, Sum>();
  const byFile = new Map<string, Sum>();
  const slowest: Array<{ row: Row; ms: number }> = [];
  let prev = t.dryRunMs ?? 0;
  for (const row of rows) {
    const ms = Math.max(0, row.at - prev);
    prev = row.at;
    add(byStatus, row.status, ms);
    add(byFile, row.file, ms);
    slowest.push({ row, ms });
  }
  const lines = [
    `run of ${t.started}: ${seconds(t.totalMs)} s in all, dry run and set-up ${seconds(t.dryRunMs ?? 0)} s, ${rows.length} mutants run`,
    ...table('by status (wall seconds charged):', byStatus, 10),
    ...table('by file:', byFile, 15),
    'slowest mutants:',
    ...slowest
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15)
      .map(({ row, ms }) => `${seconds(ms)} s ${row.status.padEnd(9)} ${row.file}:${row.line} ${row.mutator} (tests ${row.tests ?? 'all'}, timeout ${seconds(row.timeout)} s)`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};

process.exitCode = main(process.argv[2] ?? 'reports/mutation/timing.json');
