/**
 * Defects found by running the CLI as a new user would (issue 9): each test
 * here failed before the fix.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { designs } from '../model/designs/index.ts';
import { shellWord, wrapCommand } from '../cli/cite/shell.ts';
import { runCli } from './cli-in-process.ts';
import { cliBin } from './cli-bin.ts';

/** A new process of the bin (test/cli-bin.ts), as a user starts it: its own stack, its own exit status. */
const spawned = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cliBin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** `main` in this process (test/cli-in-process.ts): the same output and exit status without a Node start. */
const dmacheck = runCli;

const dir = mkdtempSync(join(tmpdir(), 'dmacheck-defects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json';

/** What bash makes of `text`: the words it would pass to a program. */
const bashWords = (text: string): string[] => {
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
};

/** `bashWords` of each text, read by one bash (a spawn each cost a quarter of a second on a busy machine). */
const bashWordsOfEach = (texts: ReadonlyArray<string>): string[][] => {
  const script = texts.map((t) => `printf '%s\\0' ${t}\nprintf '\\001\\0'\n`).join('');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out: string[][] = [[]];
  for (const w of r.stdout.split('\0').slice(0, -1)) if (w === '\x01') out.push([]); else out[out.length - 1]!.push(w);
  return out.slice(0, -1);
};

const oneLine = (stderr: string) => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.slice(0, -1)).toMatch(/^dmacheck: [\x20-\x7e]+$/);
};

describe('bad files through the CLI', () => {
  const deep = join(dir, 'deep.json');
  writeFileSync(deep, readFileSync(good, 'utf8').replace('{"mm":0,"start":0,"npages":1}', `{"mm":0,"start":0,"npages":${'['.repeat(6000)}${']'.repeat(6000)}}`));
  it('report and replay of a file nested 6000 deep: one line naming the field, exit 2', () => {
    for (const cmd of ['report', 'replay']) {
      const r = spawned(cmd, deep);
      expect(r.status).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toContain('steps[3].args.npages[0]');
    }
  });
  it('a file name with a newline and an ESC sequence gives one escaped line', () => {
    const name = join(dir, 'a\nb\x1b[2J.json');
    writeFileSync(name, '\x1b[2J\x07{');
    const r = dmacheck('replay', name);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('a\\nb\\x1b[2J.json: not JSON');
  });
  it('an unknown design name of 100 KB is cut', () => {
    const r = dmacheck('check', '--design', 'x'.repeat(100_000));
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    // The name is cut to 60 characters; the rest of the line lists the known designs.
    expect(r.stderr.length).toBeLessThan(200 + designs.map((d) => d.id).join(', ').length);
  });
});

describe('single-dash words', () => {
  it('are unknown options, not file names', () => {
    for (const argv of [['check', '-x'], ['replay', '-v'], ['report', '-f'], ['explore', '-d']]) {
      const r = dmacheck(...argv);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`dmacheck: unknown option '${argv[1]}'\n`);
    }
    // Bundled short options are one word as typed, not three.
    expect(dmacheck('check', '-abc').stderr).toBe("dmacheck: unknown option '-abc'\n");
  });

  it('after `--` are words: a file whose name starts with a dash can be named', () => {
    const r = dmacheck('report', '--', '-x.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('-x.json');
    expect(r.stderr).not.toContain('unknown option');
  });
});

describe('Replay commands', () => {
  it('quote the path, so a folder with a space, a quote or a newline survives a paste into bash', () => {
    for (const sub of ['with space', "it's", 'new\nline', 'caf\u00e9']) {
      const d = join(dir, sub);
      mkdirSync(d, { recursive: true });
      const f = join(d, 'x.json');
      copyFileSync(good, f);
      const r = dmacheck('report', f);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^[\x20-\x7e\n]*$/);
      // The report's own replay reads the report; the sender's file follows it.
      const [own, file] = r.stdout.split('Replay:\n')[1]!.split("  (this report on standard input), or with the sender's file:\n") as [string, string];
      expect(own).toBe('  npx dmacheck replay -\n');
      for (const l of file.split('\n')) expect(l.length).toBeLessThanOrEqual(72);
      expect(bashWords(file.replace(/^ +/, ''))).toEqual(['npx', 'dmacheck', 'replay', f]);
    }
  });
  it('every wrapped line, ` \\` included, is within 72 columns, and bash reads back the same words', () => {
    const cases = Array.from({ length: 80 }, (_, pad) => {
      const words = ['npm', 'run', 'check', '--', '--design', 'd'.repeat(pad), '--invariant', 'map-within-vma-lifetime', '--path', `1:${'9'.repeat(pad * 2)}@B:A`, `a b${'c'.repeat(pad)}`];
      const lines = wrapCommand(words, 72, '  ', '    ');
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(72);
      return { words, text: lines.join('\n') };
    });
    expect(bashWordsOfEach(cases.map((c) => c.text))).toEqual(cases.map((c) => c.words));
  });
  it('a word is left bare only when a shell reads it as it is', () => {
    expect(shellWord('counterexamples/a-b_c.json')).toBe('counterexamples/a-b_c.json');
    expect(shellWord('a b')).toBe("'a b'");
    expect(bashWords(shellWord("it's\t$HOME `x` \\"))).toEqual(["it's\t$HOME `x` \\"]);
  });
});

describe('the explore table', () => {
  it('aligns rows whose design name is longer than 22 characters', () => {
    const r = dmacheck('explore', '--design', 'vma-p2p-map-notifier-nostop', '--design', 'vma-p2p-map', '--max-states', '50');
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('design '));
    const statesEnd = lines[head]!.indexOf('states') + 'states'.length;
    for (const row of lines.slice(head + 2, head + 4)) expect(row[statesEnd - 1], row).toMatch(/[0-9]/);
    expect(lines.slice(head + 2, head + 4).map((l) => l.length)).toEqual([lines[head]!.length, lines[head]!.length]);
  });
});
