/**
 * Hostile inputs at the command line: `dmacheck save` and `check --save`
 * where the corpus folder is a plain file (one line naming it and exit 2,
 * no stack trace, nothing written), and standard input far past the size
 * limit (refused once the limit is passed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';
import * as E from 'fp-ts/lib/Either.js';
import { htmlReportWithin } from '../cli/cite/html.ts';
import { citationOf } from '../properties/counterexample/cite.ts';
import { loadCounterexample } from '../properties/counterexample/load.ts';

const bin = cliBin;
const file = join(process.cwd(), 'counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');

describe('saving when counterexamples/ is a plain file', () => {
  it('save and check --save say so in one line each and exit 2', () => {
    const dir = scratch('dmacheck-save-hostile-');
    writeFileSync(join(dir, 'counterexamples'), 'a plain file');
    const save = spawnSync(process.execPath, [bin, 'save', file], { cwd: dir, encoding: 'utf8' });
    expect([save.status, save.stdout, save.stderr]).toEqual([
      2,
      '',
      'dmacheck: not saved: cannot make counterexamples/vma-p2p-map (ENOTDIR): is counterexamples a folder, and writable?\n',
    ]);
    const check = spawnSync(process.execPath, [bin, 'check', '--design', 'vma-p2p-map', '--invariant', 'provider-removal', '--runs', '50', '--save'], { cwd: dir, encoding: 'utf8' });
    expect(check.status).toBe(2);
    expect(check.stderr).toBe('dmacheck: not saved: cannot make counterexamples/vma-p2p-map (ENOTDIR): is counterexamples a folder, and writable?\n');
    expect(readFileSync(join(dir, 'counterexamples'), 'utf8')).toBe('a plain file');
  });
});

describe('standard input past the limit', () => {
  it('is refused after reading just over 1 MiB, not read whole first (10 MiB piped in)', () => {
    const r = spawnSync(process.execPath, [bin, 'replay', '-'], { input: Buffer.alloc(10 * (1 << 20), 0x20), encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'dmacheck: stdin: over the limit of 1048576 bytes for a counterexample file (reading stopped there)\n']);
  });
});

describe('report --format html of a trace whose states are huge', () => {
  const steps = [{ op: 'mmap', args: { mm: 0, npages: 1024, backing: { kind: 'anon' } } }, ...Array.from({ length: 150 }, () => ({ op: 'fork', args: { mm: 0 } }))];
  const hugeFile = (): string => {
    const f = join(scratch('dmacheck-html-huge-'), 'huge.json');
    writeFileSync(f, JSON.stringify({ format: 'dmacheck-counterexample', version: 1, design: 'pin-user-pages', invariant: 'pin-coherent', violatesAt: steps.length, steps, found: { by: 'a probe', date: '2026-12-07' } }));
    return f;
  };

  it("a 1024-page mapping forked 150 times (a small file within every limit of the format) makes a page of its changes: under 1 MiB, where every step's whole state made 250 MiB", () => {
    const html = runCli('report', hugeFile(), '--format', 'html');
    expect([html.status, html.stderr]).toEqual([0, '']);
    expect(html.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.stdout.length).toBeLessThan(2 ** 20);
  });

  it('a page over the limit is refused in one line naming the step it passed it at; text still works', () => {
    const f = hugeFile();
    const loaded = loadCounterexample(f);
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    const page = htmlReportWithin(loaded.right, citationOf(loaded.right), 256 * 2 ** 10);
    expect(E.isLeft(page) && page.left).toMatch(/^the page would embed over 256 KiB of state by step [0-9]+ of 151 \(the first state and every step's changes go into it\): use --format text or markdown$/);
    expect(runCli('report', f).status).toBe(0);
  });
});
