import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliBin } from './cli-bin.ts';
import { designsMarkdown } from '../cli/catalogue.ts';
import { designs } from '../model/designs/index.ts';
import { invariantIds } from '../properties/invariant.ts';

describe('the docs stay true', () => {
  it('docs/designs.md is what `npm run docs` generates from the design modules', () => {
    expect(readFileSync('docs/designs.md', 'utf8')).toBe(designsMarkdown());
  });
  it('docs/invariants.md has a section for every registered invariant', () => {
    const text = readFileSync('docs/invariants.md', 'utf8');
    for (const id of invariantIds) expect(text).toContain(`## \`${id}\``);
  });
  it('the README names both commands and every design appears in the catalogue', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm install && npm run check');
    expect(readme).toContain('npm test');
    const catalogue = designsMarkdown();
    for (const d of designs) expect(catalogue).toContain(`## \`${d.id}\``);
  });
  // The mutation selection (vitest.mutate.config.ts) runs the catalogue checks, not the shell.
  it.skipIf(process.env.DMACHECK_MUTATE === '1')('the README sample is real: its replay command, run by a shell, reproduces the trace it shows', () => {
    const readme = readFileSync('README.md', 'utf8');
    const sample = readme.slice(readme.indexOf('## What it prints'), readme.indexOf('## How to read a trace'));
    const shown = [...sample.matchAll(/^ +[0-9]+\. ([a-z_0-9]+)\(/gm)].map((m) => m[1]);
    const replay = /Replay:\n([\s\S]*?)\n```/.exec(sample)![1]!.trim().replace(/^npm run check --/, '');
    // The package's bin beside its bundle (test/cli-bin.ts): the command as an installed dmacheck runs it, without compiling the sources again.
    const r = spawnSync('bash', ['-c', `node ${cliBin} check ${replay.replace(/^ +/gm, '')} --json`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const results = (JSON.parse(r.stdout) as { results: { verdict: string; steps?: { op: string }[] }[] }).results;
    const first = results.find((x) => x.verdict === 'violated')!;
    expect(first.steps!.map((s) => s.op)).toEqual(shown);
  });
});
