/**
 * `--world`, `--set` and `--without` on the command line: every search
 * command names the world it ran in, the replay commands it prints choose
 * it again, and a saved counterexample records it for its replay.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';
import { designs } from '../model/designs/index.ts';

const bin = cliBin;

/** The words of a shell line as check prints it (backslash continuations joined). */
const words = (replay: string): string[] => replay.replace(/\\\n\s*/g, ' ').trim().split(/\s+/);

describe('check in another world', () => {
  it('names the world in its header and in each report, and the replay line it prints reproduces the trace there', () => {
    const r = runCli('check', '--design', 'vma-p2p-map', '--world', 'small', '--set', 'vmas=1', '--runs', '200', '--no-timing', '--confirm-states', '0');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('; world small (vmas=1, mms=2, notifiers=1, ios=1, mappings=1)');
    expect(r.stdout).toContain('world small (vmas=1, mms=2, notifiers=1,');
    const block = r.stdout.slice(r.stdout.indexOf('Replay:\n') + 8);
    const line = block.slice(0, block.indexOf('\n\n'));
    const argv = words(line);
    expect(argv.slice(0, 4)).toEqual(['npm', 'run', 'check', '--']);
    expect(argv.slice(-4)).toEqual(['--world', 'small', '--set', 'vmas=1']);
    const again = runCli('check', ...argv.slice(4), '--no-timing', '--confirm-states', '0');
    expect(again.status, again.stderr).toBe(0);
    // The first report's numbered steps, printed again by the rerun.
    const steps = (out: string) => out.slice(out.indexOf('dmacheck counterexample'), out.indexOf('Replay:')).split('\n').filter((l) => /^ +[0-9]+\. /.test(l));
    expect(steps(again.stdout).length).toBeGreaterThan(1);
    expect(steps(again.stdout)).toEqual(steps(r.stdout));
  });

  it('an expected violation a smaller world cannot show is listed, not counted as differing', () => {
    const r = runCli('check', '--design', 'vma-p2p-map', '--invariant', 'no-dma-after-free', '--without', 'device_read', '--without', 'device_write', '--runs', '200', '--no-timing');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Expected violations not found in without device_read, device_write (not counted as differing: this world may lack what they need):\n  vma-p2p-map / no-dma-after-free');
    expect(r.stdout).toContain('1 verdict(s): 0 violated (0 unexpected), 1 held (1 vacuous)\nheld: no violation found by the random search, not a proof\nnone contradicts its design');
  });

  it('a bad world is one line naming what is wrong, exit 2', () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [['--world', 'tiny'], "dmacheck: --world: unknown world 'tiny' (known: default, small, complete, munmap-race)\n"],
      [['--set', 'windows=2'], "dmacheck: --set: unknown key 'windows' (keys: ram-pages, file-pages, bar-pages, swap-slots, vmas, mms, notifiers, ios, mappings)\n"],
      [['--set', 'mms=0'], 'dmacheck: --set: mms (address spaces alive at once) must be from 1 to 8, got 0\n'],
      [['--world', 'munmap-race', '--design', 'gup-set-page-dirty'], "dmacheck: --world: world munmap-race does not fit design gup-set-page-dirty: it leaves out 'mprotect', a step gup-set-page-dirty does not have\n"],
    ];
    for (const [argv, err] of cases) {
      const r = runCli('check', ...argv);
      expect([r.status, r.stdout, r.stderr], argv.join(' ')).toEqual([2, '', err]);
    }
  });
});

describe('explore in a named world, saved and replayed', () => {
  it("munmap-race finds hmm-literal's 16-step race; the saved file records the world and replays in it", () => {
    const dir = scratch('dmacheck-world-');
    const argv = ['explore', '--design', 'vma-p2p-map-notifier-hmm-literal', '--world', 'munmap-race', '--invariant', 'map-within-vma-lifetime', '--max-states', '20000', '--no-timing', '--save'];
    const r = spawnSync(process.execPath, [bin, ...argv], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('; world munmap-race; a smaller world, without mprotect, mremap, exit_mmap, fork,');
    expect(r.stdout).toContain('map-within-vma-lifetime  violated: shortest trace 16 step(s), 16 kernel call(s)');
    expect(words(r.stdout.slice(r.stdout.indexOf('Replay:\n') + 8))).toEqual(expect.arrayContaining(['--max-states', '20000', '--world', 'munmap-race', '--save']));
    const file = /^saved (\S+)$/m.exec(r.stdout)![1]!;
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { world: { name: string; without: string[] } };
    expect(json.world.name).toBe('munmap-race');
    expect(json.world.without).toContain('fork');
    const again = spawnSync(process.execPath, [bin, 'replay', file], { cwd: dir, encoding: 'utf8' });
    expect(again.stdout, again.stderr).toContain('violates map-within-vma-lifetime at step 16');
    // A file naming a world this dmacheck does not know is refused at that field.
    writeFileSync(join(dir, 'bad.json'), readFileSync(join(dir, file), 'utf8').replace('"name":"munmap-race"', '"name":"tiny"'));
    const bad = spawnSync(process.execPath, [bin, 'replay', 'bad.json'], { cwd: dir, encoding: 'utf8' });
    expect([bad.status, bad.stderr]).toEqual([2, "dmacheck: bad.json: world.name: unknown world 'tiny' (known: default, small, complete, munmap-race)\n"]);
  });
});

describe('a report of a trace found in another world, pasted', () => {
  it('names the world, and replays there from standard input, as text or markdown', () => {
    const dir = scratch('dmacheck-world-paste-');
    const found = spawnSync(process.execPath, [bin, 'explore', '--design', 'gup-set-page-dirty', '--invariant', 'correct-dirtying', '--set', 'ram-pages=5', '--save', '--no-timing'], { cwd: dir, encoding: 'utf8' });
    expect(found.status, found.stderr).toBe(0);
    expect(found.stdout).toContain('world:     { "name": "default", "set": { "ram-pages": 5 } }');
    const file = /^saved (\S+)$/m.exec(found.stdout)![1]!;
    for (const format of ['text', 'markdown']) {
      const report = spawnSync(process.execPath, [bin, 'report', file, '--format', format], { cwd: dir, encoding: 'utf8' }).stdout;
      if (format === 'markdown') expect(report).toContain('In the world `{ "name": "default", "set": { "ram-pages": 5 } }`.');
      const replayed = spawnSync(process.execPath, [bin, 'replay', '-'], { cwd: dir, input: report, encoding: 'utf8' });
      expect(replayed.stdout, `${format}: ${replayed.stderr}`).toBe('ok    stdin:1: gup-set-page-dirty violates correct-dirtying at step 8\n');
    }
  });
});

describe('the complete world (--world complete)', () => {
  it("is each design's own: explore finishes it, finds the expected violation with its shortest trace, and names the sizes", () => {
    const r = runCli('explore', '--design', 'p2pdma-page-sgl', '--world', 'complete', '--no-timing');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('p2pdma-page-sgl  no-cpu-iomem             violated: shortest trace');
    expect(r.stdout).toMatch(/held: whole reachable space explored \(163 states, depth [0-9]+\) in world complete/);
    const v = runCli('explore', '--design', 'vmsplice-5.8', '--world', 'complete', '--invariant', 'isolation', '--no-timing');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('world complete (ram-pages=3, vmas=2, mms=2, ios=1)');
    expect(v.stdout).toContain('violated: shortest trace 5 step(s)');
  });

  it('with no --design, --world complete takes every design that names a complete world (and only those)', () => {
    const r = runCli('explore', '--world', 'complete', '--max-states', '3', '--json', '--no-timing');
    expect(r.status).toBe(0);
    const chosen = (JSON.parse(r.stdout) as { designs: { design: string }[] }).designs.map((d) => d.design);
    expect(chosen).toEqual(designs.filter((d) => d.completeWorld !== undefined).map((d) => d.id));
    expect(chosen).toContain('pin-user-pages');
    expect(chosen).not.toContain('gup-dontfork');
  });

  it('a design that names none is refused in one line, exit 2', () => {
    const r = runCli('explore', '--design', 'gup-dontfork', '--world', 'complete');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('dmacheck: --world: design gup-dontfork names no complete world yet (docs/exploring.md lists those that do)');
  });
});

describe('explore in the complete world', () => {
  it('is bounded at COMPLETE_WORLD_STATES unless --max-states says otherwise: it is meant to be explored to its end', async () => {
    const { parseArgs, COMPLETE_WORLD_STATES, defaults } = await import('../cli/args.ts');
    const bound = (...argv: string[]) => {
      const r = parseArgs(['explore', '--design', 'vmsplice', ...argv]);
      return r._tag === 'Right' && r.right.command === 'explore' ? r.right.maxStates : null;
    };
    expect(bound('--world', 'complete')).toBe(COMPLETE_WORLD_STATES);
    expect(bound('--world', 'complete', '--max-states', '100')).toBe(100);
    expect(bound('--world', 'small')).toBe(defaults.maxStates);
  });
});
