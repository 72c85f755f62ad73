/**
 * The README's sample of `npm run check` is what `npm run check` prints:
 * every table row shown (the time column aside, which is wall clock) and
 * the trace block verbatim. It drifted once; this fails when it does again.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const sample = (): string => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## What it prints'));
  return section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
};

/** A table line without its trailing time column. */
const untimed = (l: string): string => l.replace(/\s+(time|[0-9]+\.[0-9]+s)$/, '');

describe('the README sample', () => {
  const out = spawnSync(process.execPath, ['bin/dmacheck.js', 'check'], { encoding: 'utf8' });
  const [table, trace] = sample().split('\n...\n') as [string, string];

  it('npm run check exits 0', () => expect(out.status, out.stderr).toBe(0));

  it('every row of the sample table is a row that npm run check prints', () => {
    const printed = new Set(out.stdout.split('\n').map(untimed));
    const rows = table.split('\n');
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(printed.has(untimed(row)), `README row not printed:\n${row}`).toBe(true);
  });

  it('the sample trace is printed verbatim, and every report line fits 72 columns', () => {
    expect(out.stdout).toContain(trace.trim());
    const reports = out.stdout.slice(out.stdout.indexOf('dmacheck counterexample'), out.stdout.indexOf('\nVacuous holds'));
    for (const l of reports.split('\n')) expect(l.length, l).toBeLessThanOrEqual(72);
  });
});
