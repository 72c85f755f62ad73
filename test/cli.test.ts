import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';
import { invariantIds } from '../properties/invariant.ts';

const dmacheck = runCli;

interface JsonResult {
  design: string;
  invariant: string;
  verdict: string;
  runs: number;
  seed: number;
  steps?: { op: string; args: Record<string, unknown> }[];
}

describe('dmacheck check', () => {
  // `check` at its defaults (the whole table, and --json on the cheaper
  // designs) is in test/check-defaults.test.ts, which runs each search once.
  it('prints a table, the numbered trace and the command that replays it', () => {
    const r = dmacheck('check', '--design', 'vma-p2p-map', '--runs', '500', '--seed', '11');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vma-p2p-map\s+map-within-vma-lifetime\s+violated\s+yes\s+[0-9]+\s+[0-9]+/);
    expect(r.stdout).toContain('1. mmap(mm=0, npages=1, backing=bar(bar=0))');
    expect(r.stdout).toContain('-> vma 1 destroyed');
    const block = r.stdout.split('Replay:\n')[1]!.split('\n\n')[0]!.replace(/\\\n\s*/g, ' ').trim();
    const replay = block.replace(/^npm run check -- /, '').replace(/\s+/g, ' ');
    for (const line of r.stdout.slice(r.stdout.indexOf('dmacheck counterexample')).split('\n')) expect(line.length).toBeLessThanOrEqual(72);
    const again = dmacheck('check', ...replay.split(' '), '--json');
    const first = (JSON.parse(again.stdout) as { results: JsonResult[] }).results.find((x) => x.verdict === 'violated')!;
    expect(first.seed).toBe(11);
    expect(first.steps!.length).toBeGreaterThan(2);
  });

  it('exits 1 when a verdict differs from the design\'s expectation (a budget too small to find it)', () => {
    const r = dmacheck('check', '--design', 'gup-set-page-dirty', '--invariant', 'pin-coherent', '--runs', '1');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/gup-set-page-dirty\s+pin-coherent\s+held\s+NO: violated/);
    expect(r.stdout).toContain("1 differ from the design's expectation\nexit status 1: a verdict differs from what its design expects");
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

  it('a replay path that does not lead to a failure is a one-line error, not a silent hold', () => {
    const r = dmacheck('check', '--design', 'vma-p2p-map', '--seed', '5', '--path', '19:4:3@C/Ka:J');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^dmacheck: --path: does not replay with seed 5/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("--help after a command prints that command's own usage, options and exit statuses; alone, the overview", () => {
    for (const [argv, first] of [
      [['check', '--help'], 'usage: dmacheck check [--design ID]'],
      [['explore', '-h'], 'usage: dmacheck explore [--design ID]'],
      [['replay', '--help'], 'usage: dmacheck replay [FILE|-]...'],
      [['help', 'witness'], 'usage: dmacheck witness --design ID'],
      [['save', '--title', 'x', '--help'], 'usage: dmacheck save FILE|-...'],
      [['report', '--help'], 'usage: dmacheck report FILE'],
    ] as const) {
      const h = dmacheck(...argv);
      expect(h.status).toBe(0);
      expect(h.stdout.split('\n')[0]).toContain(first);
      expect(h.stdout).toMatch(/\nexit status: 0 /);
      expect(h.stdout).not.toContain(argv[0] === 'check' ? 'dmacheck explore [' : 'dmacheck check [');
    }
    expect(dmacheck('check', '--help').stdout).toContain('--world NAME         a named world: default, small, complete, munmap-race');
    const r = dmacheck('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dmacheck check [--design ID]');
    expect(r.stdout).toContain('dmacheck explore [--design ID]');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe("Each command's options and exit statuses: dmacheck COMMAND --help");
    expect(dmacheck('help', 'chek')).toEqual({ status: 2, stdout: '', stderr: "dmacheck: help: unknown command 'chek' (expected: check, explore, replay, save, report, witness)\n" });
  });
});

describe('dmacheck replay and report', () => {
  it('replays the whole corpus, one line per file, exit 0', () => {
    const r = dmacheck('replay');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const l of lines) expect(l).toMatch(/^ok {4}counterexamples\/.*: .* violates .* at step [0-9]+$/);
  });

  it('a corrupted copy gets one line naming the file and field, exit 2, and the other files still replay; nothing is modified', () => {
    const dir = scratch('dmacheck-cli-');
    const good = 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json';
    copyFileSync(good, join(dir, 'good.json'));
    const bad = readFileSync(good, 'utf8').replace('"start":0,"npages":1}', '"start":0,"npages":"one"}');
    writeFileSync(join(dir, 'bad.json'), bad);
    const r = dmacheck('replay', dir);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`dmacheck: ${join(dir, 'bad.json')}: steps[3].args.npages: expected a whole number, got "one"`);
    expect(r.stdout).toContain(`ok    ${join(dir, 'good.json')}`);
    expect(readFileSync(join(dir, 'bad.json'), 'utf8')).toBe(bad);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'good.json']);
  });

  it('cross-design replay says the notifier design no longer violates, and shows why', () => {
    const r = dmacheck('replay', 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', '--design', 'vma-p2p-map-notifier');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('on vma-p2p-map-notifier: holds: all 4 recorded steps ran (24 calls with the target\'s own driver code), no invariant fails');
    expect(r.stdout).toContain('p2p_unmap(mapping=4, by=7)\n      -> mapping 4 torn down');
    expect(r.stdout).toContain('mmu_notifier_invalidate_range_end(inv=6)\n      -> vma 1 destroyed; invalidation 6 ended');
  });

  it('report prints text within 72 columns, and markdown, mermaid and json on request', () => {
    const f = 'counterexamples/gup-set-page-dirty/correct-dirtying-fbd1aac087.json';
    const text = dmacheck('report', f);
    expect(text.status).toBe(0);
    for (const l of text.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(72);
    expect(dmacheck('report', f, '--format', 'markdown').stdout).toContain('| # | kernel call | effect |');
    expect(dmacheck('report', f, '--format', 'mermaid').stdout).toMatch(/^sequenceDiagram/);
    expect(dmacheck('report', f, '--format=json').stdout).toBe(readFileSync(f, 'utf8'));
  });

  it('report of a missing file or with an unknown format exits 2 with one line', () => {
    const missing = dmacheck('report', 'counterexamples/nope.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('dmacheck: counterexamples/nope.json: cannot read (ENOENT)');
    const fmt = dmacheck('report', 'x.json', '--format', 'pdf');
    expect(fmt.status).toBe(2);
    expect(fmt.stderr).toContain("--format: expected one of text, markdown, mermaid, json, html, got 'pdf'");
  });
});

describe('dmacheck check --save', () => {
  it('saves each new violation once and leaves existing files alone', () => {
    const dir = scratch('dmacheck-save-');
    const run = () => spawnSync(process.execPath, [cliBin, 'check', '--design', 'vma-p2p-map', '--runs', '300', '--save'], { cwd: dir, encoding: 'utf8' });
    const first = run();
    expect(first.status).toBe(0);
    const saved = [...first.stdout.matchAll(/^saved (counterexamples\/\S+)$/gm)].map((m) => m[1]!);
    expect(saved).toHaveLength(3);
    const second = run();
    expect([...second.stdout.matchAll(/^already saved (\S+)$/gm)].map((m) => m[1])).toEqual(saved);
    expect(readdirSync(join(dir, 'counterexamples/vma-p2p-map')).sort()).toEqual(saved.map((s) => s.split('/')[2]).sort());
  });
});

describe('dmacheck explore --save', () => {
  it('a file saved in a world without many steps loads again: they are named in its note, not in found.by (at most 200 characters)', () => {
    const dir = scratch('dmacheck-explore-save-');
    const misuse = ['unmap_twice', 'unmap_wrong_device', 'unmap_wrong_direction', 'unmap_returned_nents', 'unmap_wrong_api', 'sync_after_unmap', 'sync_wrong_direction', 'free_table_before_unmap', 'map_page_unchecked', 'unbind_with_live_mappings', 'dma_map_sg_of_p2pdma_page', 'p2pdma_map_sg_of_ram', 'device_writes_to_device_buffer'];
    const argv = ['explore', '--design', 'dma-api-misuse', '--invariant', 'dma-api-hygiene', ...misuse.flatMap((m) => ['--without', `bug:${m}`]), '--save'];
    const r = spawnSync(process.execPath, [cliBin, ...argv], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const file = /^saved (\S+)$/m.exec(r.stdout)![1]!;
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { found: { by: string }; note: string };
    expect(json.found.by).toBe('dmacheck explore (breadth-first, in the world named in the note)');
    expect(json.note).toContain('bug:device_writes_to_device_buffer');
    const again = spawnSync(process.execPath, [cliBin, 'replay', file], { cwd: dir, encoding: 'utf8' });
    expect(again.stdout, again.stderr).toContain('violates dma-api-hygiene at step 7');
  });
});

describe('dmacheck explore', () => {
  it('--without leaves steps out of the world, says so in every hold, and then reaches the noretry race: p2p_map, the removal\'s callback, then the stale programming', () => {
    const without = ['fork', 'exit_mmap', 'munmap', 'device_read', 'device_write', 'mmu_interval_notifier_remove', 'mprotect', 'mremap', 'release(stop, p2p_unmap, forget)'];
    const r = dmacheck('explore', '--design', 'vma-p2p-map-notifier-noretry', '--invariant', 'notifier-protocol', ...without.flatMap((w) => ['--without', w]), '--max-states', '50000');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('a smaller world, without fork, exit_mmap');
    expect(r.stdout).toContain('notifier-protocol  violated: shortest trace 17 step(s), 17 kernel call(s) (shortest without the left-out steps)');
    const steps = r.stdout.split('\n').filter((l) => /^ +[0-9]+\. /.test(l)).map((l) => l.trim().replace(/^[0-9]+\. /, '').replace(/\(.*$/, ''));
    expect(steps.indexOf('p2p_map')).toBeLessThan(steps.indexOf('pci_stop_and_remove_bus_device'));
    // The callback stopped the device before the map path programmed it with the addresses it had taken.
    expect(steps.indexOf('device_stop_dma')).toBeLessThan(steps.indexOf('device_program'));
    expect(steps).not.toContain('mmu_interval_read_retry');
    expect(r.stdout).toContain("--without 'release(stop, p2p_unmap, forget)'");
    const held = dmacheck('explore', '--design', 'vma-p2p-map-notifier', '--invariant', 'notifier-protocol', '--without', 'fork', '--max-states', '2000');
    expect(held.stdout).toMatch(/held up to depth [0-9]+ \(2000 states; bound reached\) without fork/);
  });
  it('with one --invariant it stops at that invariant\'s first violation; --go-on explores on to the bound, with the same shortest trace', () => {
    const first = dmacheck('explore', '--design', 'vma-p2p-map', '--invariant', 'map-within-vma-lifetime', '--max-states', '2000', '--json', '--no-timing');
    const on = dmacheck('explore', '--design', 'vma-p2p-map', '--invariant', 'map-within-vma-lifetime', '--max-states', '2000', '--json', '--no-timing', '--go-on');
    type Out = { states: number; results: { verdict: string; steps: unknown }[] };
    const [a, b] = [JSON.parse(first.stdout) as Out, JSON.parse(on.stdout) as Out];
    expect(a.states).toBeLessThan(100);
    expect(b.states).toBe(2000);
    expect(b.results[0]!.steps).toEqual(a.results[0]!.steps);
    expect(dmacheck('explore', '--reference', '3-2-2-2', '--go-on').stderr).toContain('--reference explores the reference model whole');
  });
  it('--no-process-symmetry explores with processes told apart by creation order: more states to the same shortest violation, and it says so', () => {
    const args = ['explore', '--design', 'vma-p2p-map', '--world', 'complete', '--invariant', 'no-dma-after-free', '--json', '--no-timing'];
    type Out = { states: number; processSymmetry?: boolean; results: { invariant: string; verdict: string; depth: number }[] };
    const [on, off] = [JSON.parse(dmacheck(...args).stdout) as Out, JSON.parse(dmacheck(...args, '--no-process-symmetry').stdout) as Out];
    expect(on.states).toBeLessThan(off.states);
    expect(on.processSymmetry).toBeUndefined();
    expect(off.processSymmetry).toBe(false);
    expect(off.results.map((r) => [r.verdict, r.depth])).toEqual([['violated', 4]]);
    expect(on.results.map((r) => [r.verdict, r.depth])).toEqual([['violated', 4]]);
    expect(dmacheck('explore', '--design', 'vma-p2p-map', '--max-states', '50', '--no-process-symmetry').stdout).toContain('states per design; process symmetry off');
    expect(dmacheck('explore', '--reference', '3-2-2-2', '--no-process-symmetry').stderr).toContain('--reference explores the reference model whole');
  });
  it('--without a step no design has is one line naming it, exit 2', () => {
    const r = dmacheck('explore', '--design', 'vma-p2p-map', '--without', 'frok');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("--without: no step named 'frok' in vma-p2p-map (steps: ");
  });
  it('finds the shortest vma-p2p-map violations and prints the run figures as JSON', () => {
    const r = dmacheck('explore', '--design', 'vma-p2p-map', '--json', '--max-states', '3000');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      results: { invariant: string; verdict: string; depth: number; steps?: { op: string }[] }[];
      states: number;
      transitions: number;
      bytesPerState: number;
      complete: boolean;
      timing: { seconds: number; statesPerSecond: number; peakRssMB: number };
    };
    const map = out.results.find((x) => x.invariant === 'map-within-vma-lifetime')!;
    expect(map.verdict).toBe('violated');
    expect(map.depth).toBe(3);
    expect(map.steps!.map((s) => s.op)).toEqual(['mmap', 'p2p_map', 'device_program', 'munmap']);
    expect(out.results.find((x) => x.invariant === 'no-cpu-iomem')!.verdict).toBe('held-bounded');
    expect(out.states).toBe(3000);
    expect(out.complete).toBe(false);
    for (const k of ['transitions', 'bytesPerState'] as const) expect(out[k]).toBeGreaterThan(0);
    for (const k of ['seconds', 'statesPerSecond', 'peakRssMB'] as const) expect(out.timing[k]).toBeGreaterThan(0);
  });

  it('says when the whole reachable space was explored, and names the bound otherwise', () => {
    const whole = dmacheck('explore', '--design', 'p2pdma-page-sgl');
    expect(whole.status).toBe(0);
    expect(whole.stdout).toMatch(/p2pdma-page-sgl\s+pin-coherent\s+held: whole reachable space explored \(163 states, depth 15\) \[vacuous: never exercised\]/);
    expect(whole.stdout).toMatch(/p2pdma-page-sgl\s+no-dma-after-free\s+held: whole reachable space explored \(163 states, depth 15\)\n/);
    expect(whole.stdout).toMatch(/p2pdma-page-sgl\s+map-within-vma-lifetime\s+held: whole reachable space explored \(163 states, depth 15\)/);
    const bounded = dmacheck('explore', '--design', 'vma-p2p-map-notifier', '--depth', '2');
    expect(bounded.stdout).toMatch(/held up to depth 2 \([0-9]+ states; bound reached\)/);
    expect(bounded.stdout).not.toContain('held: whole reachable space');
    // The last two lines count the verdicts in words and say what the exit status means.
    expect(whole.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      expect.stringMatching(new RegExp(`; 1 violated \\(all expected\\), ${invariantIds.length - 1} held \\(${invariantIds.length - 1} over the whole reachable space, 0 up to a bound\\)$`)),
      "exit status 0: no verdict contradicts its design's expectation (a violation beyond the bound does not)",
    ]);
    expect(bounded.stdout).toContain(`, ${invariantIds.length} held (0 over the whole reachable space, ${invariantIds.length} up to a bound)\n`);
  });

  it('explores the reference model to the exact counts of its table', () => {
    const buggy = JSON.parse(dmacheck('explore', '--reference', '3-2-2-2', '--buggy', '--json').stdout) as {
      states: number;
      transitions: number;
      shortest: { I1: number; I2: number; I3: number };
      bytesPerState: number;
      statesPerSecond: number;
    };
    expect([buggy.states, buggy.transitions]).toEqual([3232, 30192]);
    expect(buggy.shortest).toEqual({ I1: 2, I2: 3, I3: 4 });
    const fixed = JSON.parse(dmacheck('explore', '--reference', '3-2-2-2', '--json').stdout) as { states: number; transitions: number };
    expect([fixed.states, fixed.transitions]).toEqual([1288, 9606]);
  });

  it('rejects bad bounds and misplaced flags with exit status 2', () => {
    expect(dmacheck('explore', '--depth', '0').stderr).toContain('--depth: expected a whole number');
    expect(dmacheck('explore', '--reference', '1-2-2-2').status).toBe(2);
    expect(dmacheck('explore', '--buggy').stderr).toContain('--buggy goes with --reference');
    expect(dmacheck('explore', '--reference', '3-2-2-2', '--design', 'vma-p2p-map').status).toBe(2);
  });
});

describe('vacuous holds', () => {
  it('a hold whose search never reached the guarded situation is marked vacuous; a real one counts what it exercised', () => {
    const r = dmacheck('check', '--design', 'p2pdma-page-sgl', '--design', 'vma-p2p-map-notifier', '--runs', '500', '--json');
    const results = (JSON.parse(r.stdout) as { results: { design: string; invariant: string; verdict: string; exercised: number; vacuous?: boolean }[] }).results;
    const get = (d: string, i: string) => results.find((x) => x.design === d && x.invariant === i)!;
    expect(get('p2pdma-page-sgl', 'pin-coherent')).toMatchObject({ verdict: 'held', exercised: 0, vacuous: true });
    expect(get('vma-p2p-map-notifier', 'map-within-vma-lifetime').verdict).toBe('held');
    expect(get('vma-p2p-map-notifier', 'map-within-vma-lifetime').exercised).toBeGreaterThan(0);
    expect(get('vma-p2p-map-notifier', 'map-within-vma-lifetime').vacuous).toBeUndefined();
    const text = dmacheck('check', '--design', 'p2pdma-page-sgl', '--runs', '500');
    expect(text.stdout).toMatch(/p2pdma-page-sgl\s+pin-coherent\s+held\s+yes\s+500\s+never/);
    expect(text.stdout).toContain('Vacuous holds');
  });
});
