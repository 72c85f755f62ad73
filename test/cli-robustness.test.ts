/**
 * Robustness of the CLI as a whole: the same seed and options give the same
 * bytes, and processes saving into one folder at once lose nothing and
 * leave nothing half-written.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { corpusFiles } from '../cli/replay.ts';
import { loadCounterexample } from '../properties/counterexample/load.ts';
import { replayOwn } from '../properties/counterexample/replay-file.ts';
import { runCli } from './cli-in-process.ts';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';

const bin = cliBin;

const shown = (r: { status: number | null; stdout: string; stderr: string }) => `status ${r.status}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
/** A new process of the bin (test/cli-bin.ts). */
const run = (args: ReadonlyArray<string>) => shown(spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' }));
/** The same command run again by `main` in this process (test/cli-in-process.ts), after the commands before it. */
const runHere = (args: ReadonlyArray<string>) => shown(runCli(...args));

describe('same seed and options, same bytes', () => {
  const file = 'counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json';
  const commands: ReadonlyArray<ReadonlyArray<string>> = [
    ['check', '--design', 'vma-p2p-map', '--design', 'gup-set-page-dirty', '--runs', '100', '--seed', '7', '--no-timing'],
    ['check', '--design', 'vma-p2p-map', '--design', 'gup-set-page-dirty', '--runs', '100', '--seed', '7', '--no-timing', '--json'],
    ['explore', '--design', 'vma-p2p-map', '--design', 'p2pdma-page-sgl', '--max-states', '200', '--no-timing'],
    ['explore', '--design', 'vma-p2p-map', '--design', 'p2pdma-page-sgl', '--max-states', '200', '--no-timing', '--json'],
    ['report', file],
    ['report', file, '--format', 'markdown'],
    ['report', file, '--format', 'mermaid'],
    ['report', file, '--format', 'json'],
  ];
  // Two runs: one a process of its own, the other in this process after
  // earlier commands (a spawn costs a Node start and a TypeScript load).
  // Anything that differs from run to run (a clock, an unseeded random,
  // state left by an earlier command) differs between the two.
  for (const argv of commands)
    it(argv.join(' '), () => {
      const first = run(argv);
      expect(first).toMatch(/^status [01]\n/);
      expect(runHere(argv)).toBe(first);
    });
  it('--no-timing drops exactly the timing key from --json', () => {
    const argv = ['explore', '--design', 'vma-p2p-map', '--max-states', '100', '--json'];
    const timed = JSON.parse(runCli(...argv).stdout) as { timing?: unknown };
    const untimed = JSON.parse(runCli(...argv, '--no-timing').stdout) as object;
    expect(timed.timing).toBeDefined();
    const { timing: _, ...rest } = timed;
    expect(rest).toEqual(untimed);
  });
});

/** Start `argv` in `cwd`; resolves with its exit status and output. */
const start = (argv: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ status: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, ...argv], { cwd });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('close', (status) => resolve({ status, out }));
  });

describe('saving from several processes at once', () => {
  it('every file complete and valid, none lost, no temporary file left', async () => {
    const dir = scratch('dmacheck-concurrent-');
    const runs = await Promise.all([
      ...[1, 3, 1].map((seed) => start(['check', '--design', 'vma-p2p-map', '--runs', '100', '--seed', String(seed), '--save'], dir)),
      start(['explore', '--design', 'vma-p2p-map', '--max-states', '100', '--save'], dir),
      start(['explore', '--design', 'vma-p2p-map', '--max-states', '100', '--save', '--json'], dir),
    ]);
    for (const r of runs) expect(r.status, r.out).toBe(0);
    const claimed = new Set(runs.flatMap((r) => [...r.out.matchAll(/^(?:already )?saved (\S+)$/gm)].map((m) => m[1]!)));
    expect(claimed.size).toBeGreaterThanOrEqual(4);
    const root = join(dir, 'counterexamples');
    const all = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
    expect(all.filter((f) => !f.endsWith('.json'))).toEqual([]);
    expect(new Set(corpusFiles(root).map((f) => relative(dir, f)))).toEqual(claimed);
    for (const f of claimed) {
      const cx = loadCounterexample(join(dir, f));
      if (E.isLeft(cx)) throw new Error(`${f}: ${cx.left.message}`);
      expect(replayOwn(cx.right), f).toEqual({ ok: true });
      expect(readFileSync(join(dir, f), 'utf8').endsWith('}\n')).toBe(true);
    }
  });
});
