/**
 * `dmacheck check --seeds A..B`: the search check makes, once per seed,
 * and how often each verdict came out (cli/check-seeds.ts).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';
import { invariantIds } from '../properties/invariant.ts';

describe('check --seeds', () => {
  it('counts the seeds each verdict came out on, with the runs it took, and exits 0 when every seed agrees with the design', () => {
    const r = runCli('check', '--seeds', '1..3', '--design', 'vma-p2p-map', '--runs', '200', '--no-timing');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`dmacheck: 1 design(s) x ${invariantIds.length} invariant(s); seeds 1..3 (3); up to 200 runs of up to 80 steps per search`);
    expect(lines.find((l) => l.startsWith('vma-p2p-map  map-within-vma-lifetime'))).toMatch(/violated +3\/3 +[0-9]+ \([0-9]+\)  yes$/);
    expect(lines.find((l) => l.startsWith('vma-p2p-map  no-cpu-iomem'))).toMatch(/held +0\/3 +-  yes$/);
    expect(r.stdout).toContain(`${invariantIds.length} verdict(s) over 3 seeds; every seed gave every verdict its design expects\nexit status 0`);
  });

  it('lists the seeds on which a verdict differs, as ranges, and exits 1', () => {
    const r = runCli('check', '--seeds', '1..4', '--design', 'vma-p2p-map', '--invariant', 'map-within-vma-lifetime', '--runs', '2', '--no-timing');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('violated          1/4                         1 (1)  NO on 3');
    expect(r.stdout).toContain("Seeds whose verdict differs from the design's expectation:\n  vma-p2p-map / map-within-vma-lifetime (expected violated): seed 1, 3..4");
  });

  it('as JSON: per verdict, the seeds it was violated on and those that differ', () => {
    const r = runCli('check', '--seeds', '1..2', '--design', 'vma-p2p-map', '--invariant', 'provider-removal', '--runs', '100', '--json', '--no-timing');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      seeds: { from: 1, to: 2 },
      runs: 100,
      maxCommands: 80,
      results: [{ design: 'vma-p2p-map', invariant: 'provider-removal', expected: 'violated', violatedOn: 2, of: 2, medianRuns: expect.any(Number), worstRuns: expect.any(Number), differOn: [] }],
    });
  });

  it('a bad range, or a flag that names one search, is one line and exit 2', () => {
    for (const [argv, err] of [
      [['--seeds', '3..1'], "--seeds: expected A..B, two 32-bit integers with A <= B and at most 1000 seeds (like 1..20), got '3..1'"],
      [['--seeds', '1..5000'], "--seeds: expected A..B, two 32-bit integers with A <= B and at most 1000 seeds (like 1..20), got '1..5000'"],
      [['--seeds', '1..2', '--seed', '4'], '--seeds runs a range of seeds and reports how often each verdict came out: it takes no --seed'],
      [['--seeds', '1..2', '--save'], '--seeds runs a range of seeds and reports how often each verdict came out: it takes no --save'],
    ] as const) {
      const r = runCli('check', ...argv);
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `dmacheck: ${err}\n`]);
    }
  });
});
