/**
 * Progress on a terminal (cli/progress.ts): check and witness say what
 * they are doing on stderr while they run, rewrite the line in place and
 * clear it at the end; nothing when stderr is not a terminal, in CI, or
 * for --json.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';

const saved = { tty: process.stderr.isTTY, ci: process.env.CI };
const asTerminal = (on: boolean): void => {
  Object.defineProperty(process.stderr, 'isTTY', { value: on, configurable: true, writable: true });
  delete process.env.CI;
};

afterEach(() => {
  Object.defineProperty(process.stderr, 'isTTY', { value: saved.tty, configurable: true, writable: true });
  if (saved.ci === undefined) delete process.env.CI;
  else process.env.CI = saved.ci;
});

describe('progress on a terminal', () => {
  it('check names each design as it searches it and the trace it confirms, then clears the line', () => {
    asTerminal(true);
    const r = runCli('check', '--design', 'vma-p2p-map', '--design', 'pin-user-pages', '--runs', '50', '--no-timing');
    expect(r.stderr).toContain('\r\x1b[Kcheck: searching vma-p2p-map (design 1 of 2)');
    expect(r.stderr).toContain('\r\x1b[Kcheck: searching pin-user-pages (design 2 of 2)');
    expect(r.stderr).toMatch(/check: is the vma-p2p-map \/ [a-z-]+ trace the shortest\?/);
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(r.stdout).not.toContain('\x1b');
  });

  it('check says how many runs a long search has made, every thousand', () => {
    asTerminal(true);
    const r = runCli('check', '--design', 'pin-user-pages', '--invariant', 'gup-release', '--runs', '1000', '--no-timing');
    expect(r.stderr).toContain('\r\x1b[Kcheck: pin-user-pages (design 1 of 1): 1000 runs\r');
    expect(r.stderr).not.toContain('2000 runs');
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('witness names each situation it looks for', () => {
    asTerminal(true);
    const r = runCli('witness', '--design', 'vma-p2p-map', '--max-states', '50');
    expect(r.stderr).toContain('\r\x1b[Kwitness: cpu-walk-of-sgl (1 of ');
  });

  it('nothing when stderr is not a terminal, in CI, or for --json', () => {
    asTerminal(false);
    expect(runCli('check', '--design', 'vma-p2p-map', '--runs', '20').stderr).toBe('');
    asTerminal(true);
    process.env.CI = 'true';
    expect(runCli('check', '--design', 'vma-p2p-map', '--runs', '20').stderr).toBe('');
    delete process.env.CI;
    expect(runCli('check', '--design', 'vma-p2p-map', '--runs', '20', '--json').stderr).toBe('');
  });
});
