import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dmacheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/dmacheck.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

interface JsonResult {
  design: string;
  invariant: string;
  verdict: string;
  runs: number;
  seed: number;
  steps?: { op: string; args: Record<string, unknown> }[];
}

describe('dmacheck check', () => {
  it('prints every verdict as JSON, with the shrunk steps of each violation, and exits 0 when all match', () => {
    const r = dmacheck('check', '--json', '--runs', '1000');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { results: JsonResult[] };
    expect(out.results).toHaveLength(35);
    const get = (d: string, i: string) => out.results.find((x) => x.design === d && x.invariant === i)!;
    expect(get('vma-p2p-map', 'map-within-vma-lifetime').verdict).toBe('violated');
    expect(get('vma-p2p-map', 'map-within-vma-lifetime').steps!.map((s) => s.op)).toEqual(['mmap', 'p2p_map', 'munmap']);
    expect(get('p2pdma-page-sgl', 'no-cpu-iomem').verdict).toBe('violated');
    expect(get('gup-set-page-dirty', 'correct-dirtying').verdict).toBe('violated');
    for (const d of ['pin-user-pages', 'vma-p2p-map-notifier'])
      for (const x of out.results.filter((y) => y.design === d)) expect(x.verdict, `${d} ${x.invariant}`).toBe('held');
    for (const x of out.results.filter((y) => y.verdict === 'held')) expect(x.steps).toBeUndefined();
  }, 120_000);

  it('prints a table, the numbered trace and the command that replays it', () => {
    const r = dmacheck('check', '--design', 'vma-p2p-map', '--runs', '500', '--seed', '11');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vma-p2p-map\s+map-within-vma-lifetime\s+violated\s+yes/);
    expect(r.stdout).toContain('1. mmap(mm=0, npages=1, backing=bar(bar=0))');
    expect(r.stdout).toContain('-> vma 1 destroyed');
    const replay = /replay: npm run check -- (.*)/.exec(r.stdout)![1]!;
    const again = dmacheck('check', ...replay.split(' '), '--json');
    const first = (JSON.parse(again.stdout) as { results: JsonResult[] }).results.find((x) => x.verdict === 'violated')!;
    expect(first.seed).toBe(11);
    expect(first.steps!.length).toBeGreaterThan(2);
  });

  it('rejects an unknown design with one line and exit status 2', () => {
    const r = dmacheck('check', '--design', 'no-such-design');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown design 'no-such-design'");
    expect(r.stdout).toBe('');
  });

  it('rejects an unknown invariant, a bad number and an unknown flag with exit status 2', () => {
    expect(dmacheck('check', '--invariant', 'nope').stderr).toContain("unknown invariant 'nope'");
    const bad = dmacheck('check', '--runs', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--runs: expected a whole number');
    const flag = dmacheck('check', '--fast');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("unknown option '--fast'");
    expect(dmacheck('frobnicate').status).toBe(2);
  });

  it('prints usage for --help and exits 0', () => {
    const r = dmacheck('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: dmacheck check');
  });
});
