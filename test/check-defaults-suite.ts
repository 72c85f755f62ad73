/**
 * The body of test/check-defaults.test.ts and test/check-defaults-more.test.ts:
 * `dmacheck check` at its defaults on a share of the designs, the README
 * sample rows of those designs, and the explorer's agreement with the
 * search on each. The two files split the designs so that vitest's two
 * workers run half of `npm run check` each; every design is in exactly one
 * (a test checks the two shares make up the registry), and a design's
 * searches do not depend on the others, so the two runs print together
 * what `npm run check` prints. They run the sources bundled
 * (test/check-kit.ts), where `verdictsFor` keeps its results, so a search
 * runs once per file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureCli, type CliRun } from './capture-cli.ts';
import { checkKit } from './cli-bin.ts';

/** The sources bundled (test/check-kit.ts), built for this run by vitest's global setup. */
export const kit = (await import(checkKit())) as typeof import('./check-kit.ts');
const { budgetOf, defaults, designById, designs, exploreOne, invariantById, invariantIds, opsOf, replay, verdictsFor } = kit;

/** `dmacheck <args>` run by the bundle's main in this process. */
export const runCli = captureCli(kit.main);

/** The README's sample of `npm run check`: the table, then `...`, then one trace. */
export const sample = (): string => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## What it prints'));
  return section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
};

/** A table line without its trailing time column. */
const untimed = (l: string): string => l.replace(/\s+(time|[0-9]+\.[0-9]+s)$/, '');

/** `check` on `share` at the defaults: its README rows, its exit status, and the explorer agreeing on each design. */
export const checkDefaultsSuite = (share: ReadonlyArray<string>): { readonly check: () => CliRun } => {
  let whole: CliRun | undefined;
  const check = (): CliRun => (whole ??= runCli('check', ...share.flatMap((d) => ['--design', d])));
  const [table] = sample().split('\n...\n') as [string, string];

  describe(`the README sample, for ${share.join(', ')}`, () => {
    it('check of these designs exits 0 (every verdict as expected), and its last line says why in words', () => {
      const out = check();
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trimEnd().split('\n').slice(-4)).toEqual([
        expect.stringMatching(/^[0-9]+ verdict\(s\): [0-9]+ violated \(0 unexpected\), [0-9]+ held \([0-9]+ vacuous\)$/),
        'held: no violation found by the random search, not a proof',
        'all as expected',
        'exit status 0: every verdict as its design expects (violations too)',
      ]);
      // Half of npm run check in one test: about a minute on an idle machine, twice that when the
      // machine is busy; a hang is still caught.
    }, 300_000);

    it('every row of the sample table for these designs is a row that check prints', () => {
      // The table's columns are as wide as the longest design name printed: the share that has the
      // longest name of all prints the rows exactly as npm run check does, the other one up to spaces.
      const longest = designs.reduce((a, d) => (d.id.length > a.length ? d.id : a), '');
      const same = share.includes(longest) ? untimed : (l: string) => untimed(l).trim().split(/\s+/).join(' ');
      const printed = new Set(check().stdout.split('\n').map(same));
      const rows = table.split('\n').filter((r, i) => (i === 1 ? share.includes(longest) : i === 0 || share.includes(r.split(' ')[0]!)));
      expect(rows.length).toBeGreaterThan(3);
      for (const row of rows) expect(printed.has(same(row)), `README row not printed:\n${row}`).toBe(true);
    });
  });

  // The explorer at check's confirmation bound (3000 states), not explore's default 10000: the
  // agreement is the same test on a smaller space, and npm test stays under its time budget.
  describe("every violation check found replays from its shrunk trace", () => {
    for (const id of share) {
      const d = designById(id)!;
      it(`${d.id}: each shrunk trace of check's search replays to the same violation at its last step`, () => {
        // The searches check ran (the cache of this file's verdictsFor mock).
        const searched = verdictsFor(d, invariantIds, { seed: defaults.seed, ...budgetOf(d, defaults.runs, defaults.maxCommands) });
        for (const v of searched.filter((x) => x.violation !== null)) {
          const again = replay(d, v.violation!.trace.map((t) => t.op), [invariantById(v.invariant)]);
          expect(again.kind === 'violates' && again.at, `${d.id} ${v.invariant}`).toBe(v.violation!.trace.length);
          expect(again.kind === 'violates' && again.violation.message).toBe(v.violation!.message);
        }
      });
    }
  });

  describe("the explorer at check's confirmation bound and the fast-check search at its default budget agree", () => {
    for (const id of share) {
      const d = designById(id)!;
      it(`${d.id}: same verdict for every invariant; no shrunk trace shorter than the shortest; each shortest trace replays`, () => {
        const explored = exploreOne(d.id, invariantIds, undefined, defaults.confirmStates);
        // The search check makes: the design's own budget where it asks for more (so the search is kept from check's run).
        const searched = verdictsFor(d, invariantIds, { seed: defaults.seed, ...budgetOf(d, defaults.runs, defaults.maxCommands) });
        for (const inv of invariantIds) {
          // The explorer names one invariant per step (the first that fails): a step that breaks two is
          // another's. As check searches again without the invariants it found, explore this one alone then.
          const first = explored.results.find((r) => r.invariant === inv)!;
          const alone = first.verdict !== 'violated' && searched.find((v) => v.invariant === inv)?.violation !== null ? exploreOne(d.id, [inv], undefined, defaults.confirmStates) : null;
          const e = alone === null ? first : alone.results.find((r) => r.invariant === inv)!;
          const s = searched.find((v) => v.invariant === inv)!;
          // A bounded hold agrees with a violation that needs more steps than the bound checked.
          if (e.verdict === 'held-bounded' && s.violation !== null && s.violation.moves > (alone ?? explored).depth) continue;
          expect(e.verdict === 'violated', `${d.id} ${inv}: explore ${e.verdict}, fast-check ${s.verdict}`).toBe(s.verdict === 'violated');
          const shortest = (alone ?? explored).exploration.violations.find((v) => v.invariant === inv);
          if (shortest === undefined || s.violation === null) continue;
          expect(s.violation.moves, `${d.id} ${inv}: fast-check needs ${s.violation.moves} steps, BFS found ${shortest.depth}`).toBeGreaterThanOrEqual(shortest.depth);
          const again = replay(d, opsOf(shortest), [invariantById(inv)]);
          expect(again.kind === 'violates' && again.at).toBe(shortest.trace.length);
        }
      });
    }
  });

  return { check };
};
