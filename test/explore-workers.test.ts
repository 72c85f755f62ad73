/**
 * `explore --workers N` (properties/explorer/dma-parallel.ts) must give what
 * one thread gives: the same states, transitions, depth, verdicts, exercised
 * counts and shortest traces, whether the whole space closes, a state bound
 * cuts a level in the middle, a depth bound leaves a frontier, the visited
 * set keeps fingerprints, or one invariant stops the run at its first
 * violation. DMACHECK_PARALLEL_FROM=8 hands levels of 8 states on to the
 * workers, so that these small worlds run on them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliBin } from './cli-bin.ts';

const explore = (workers: number, ...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [cliBin, 'explore', ...args, '--workers', String(workers), '--json'], {
    encoding: 'utf8',
    env: { ...process.env, DMACHECK_PARALLEL_FROM: '8' },
  });

/** The JSON without its timing part, and the chunks the workers expanded (from the timing part). */
const answer = (stdout: string): { json: Record<string, unknown>; chunks: number } => {
  const { timing, ...json } = JSON.parse(stdout) as Record<string, unknown> & { timing: { designs: { workers?: { chunks: number } }[] } };
  return { json, chunks: timing.designs[0]!.workers?.chunks ?? 0 };
};

const cases: ReadonlyArray<{ readonly what: string; readonly args: ReadonlyArray<string>; readonly workers: number; readonly check: (json: Record<string, unknown>) => void }> = [
  {
    what: 'a world explored whole, with a violation',
    args: ['--design', 'p2pdma-page-sgl'],
    workers: 2,
    check: (j) => {
      expect(j.complete).toBe(true);
      expect((j.results as { verdict: string }[]).some((r) => r.verdict === 'violated')).toBe(true);
    },
  },
  {
    what: "one invariant's first violation, in a named world",
    args: ['--design', 'vma-p2p-map-notifier-hmm-literal', '--world', 'munmap-race', '--invariant', 'map-within-vma-lifetime'],
    workers: 2,
    check: (j) => expect((j.results as { verdict: string; steps?: unknown[] }[])[0]!.steps!.length).toBeGreaterThan(8),
  },
  {
    what: 'a state bound that cuts a level, with fingerprints, on three workers',
    args: ['--design', 'gup-dontfork', '--max-states', '700', '--fingerprints'],
    workers: 3,
    check: (j) => expect(j.states).toBe(700),
  },
  {
    what: 'a depth bound',
    args: ['--design', 'p2pdma-page-sgl', '--depth', '4'],
    workers: 2,
    check: (j) => expect((j.designs as { depth: number }[])[0]!.depth).toBe(4),
  },
];

describe('explore --workers', () => {
  it.each(cases)('gives what one thread gives: $what', ({ args, workers, check }) => {
    const one = explore(1, ...args);
    const many = explore(workers, ...args);
    expect(many.stderr).toBe('');
    expect(many.status).toBe(one.status);
    const { json, chunks } = answer(many.stdout);
    // The levels really went to the workers; one thread expanded everything itself.
    expect(chunks).toBeGreaterThan(0);
    expect(answer(one.stdout).chunks).toBe(0);
    check(json);
    expect(json).toEqual(answer(one.stdout).json);
  });

  it('refuses a number of workers it cannot use, in one line', () => {
    for (const bad of ['0', '65', 'two']) {
      const r = spawnSync(process.execPath, [cliBin, 'explore', '--workers', bad], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toBe(`dmacheck: --workers: expected a whole number from 1 to 64, got '${bad}'`);
    }
  });
});
