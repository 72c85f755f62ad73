/**
 * docs/adding-a-design.md's walk-through, followed: each code line it
 * quotes is in the file it names, the design is registered, and `check`
 * and `replay --design` print what the page shows.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { designById } from '../model/designs/index.ts';
import { recipeByName } from '../model/designs/importers/index.ts';
import { cliBin } from './cli-bin.ts';

const page = readFileSync('docs/adding-a-design.md', 'utf8');
const walk = page.slice(page.indexOf('## A walk-through'));
/** The fenced blocks of the walk-through, in order, with their language. */
const blocks = [...walk.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
const DESIGN = 'vma-p2p-map-notifier-program-unlocked';

const cli = (...args: string[]) => spawnSync(process.execPath, [cliBin, ...args], { encoding: 'utf8' });

describe('docs/adding-a-design.md, the walk-through', () => {
  it('quotes code that is in the files it names, in order: the recipe change, its registration, the design', () => {
    const files = ['model/designs/importers/map-path.ts', 'model/designs/importers/index.ts', `model/designs/${DESIGN}.ts`];
    const code = blocks.filter((b) => b.lang === 'ts');
    expect(code).toHaveLength(files.length);
    code.forEach((b, i) => {
      const source = readFileSync(files[i]!, 'utf8');
      for (const line of b.text.split('\n').filter((l) => l.trim() !== '')) expect(source, `${files[i]} lacks: ${line}`).toContain(line);
    });
  });

  it('the recipe and the design it names are registered, and the recipe unlocks before it programs', () => {
    const listing = recipeByName('hmm-map-program-unlocked')!.listing;
    expect(listing.findIndex((l) => l.startsWith('mutex_unlock'))).toBeLessThan(listing.findIndex((l) => l.startsWith('program the device')));
    expect(designById(DESIGN)!.world.devices[1]!.driver!.mapPath).toBe('hmm-map-program-unlocked');
  });

  it('check prints the table the page shows', () => {
    const r = cli('check', '--design', DESIGN, '--invariant', 'notifier-protocol', '--no-timing');
    expect(r.status, r.stderr).toBe(0);
    const table = blocks.filter((b) => b.lang === '')[0]!.text.trimEnd().split('\n');
    const printed = r.stdout.split('\n');
    const at = printed.indexOf(table[0]!);
    expect(at).toBeGreaterThan(0);
    expect(printed.slice(at, at + table.length)).toEqual(table);
    expect(r.stdout).toContain(' 14. driver_unlock(dev=1, by=3)');
  });

  it('replaying the saved trace on the documented design names the line the variant moved', () => {
    const dir = `counterexamples/${DESIGN}`;
    const file = readdirSync(dir).find((f) => f.startsWith('notifier-protocol-'))!;
    const r = cli('replay', `${dir}/${file}`, '--design', 'vma-p2p-map-notifier');
    const quoted = blocks.filter((b) => b.lang === '')[1]!.text.trim();
    expect(r.stdout.split('\n')[0]).toContain(quoted);
  });
});
