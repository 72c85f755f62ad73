/**
 * The first round of test/stryker-runner.mjs: which of a mutant's covering
 * tests run before the rest. A wrong choice only costs time (the second
 * round runs the others), so these pin the choice itself.
 */
import { describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';
import { firstRound, keepThread, strykerPlugins } from './stryker-runner.mjs';

const ids = [
  'test/counterexamples/corpus.test.ts#the committed corpus loads',
  'test/model/mm.test.ts#munmap drops the page',
  'test/model/mm-lifecycle.test.ts#fork copies the ptes',
  'test/model/mmap-extra.test.ts#not mm: a different module',
  'test/model/fault.test.ts#a write fault breaks cow',
  'test/properties/design-fingerprints.test.ts#every design a',
  'test/properties/design-fingerprints.test.ts#every design b',
  'test/properties/design-fingerprints.test.ts#every design c',
];

describe('the first round of a mutant run', () => {
  it("is the covering tests of the module's own test files: mm.ts takes mm.test.ts and mm-*.test.ts, not mmap-*", () => {
    expect(firstRound('/work/x/model/ops/mm.ts', ids)).toEqual([ids[1], ids[2]]);
  });

  it('without own tests, is the fast file with the most covering tests; the slow fingerprints never come first', () => {
    const chosen = firstRound('/work/x/model/ops/gup.ts', [...ids, 'test/model/fault.test.ts#a read fault maps the zero page']);
    expect(chosen).toEqual([ids[4], 'test/model/fault.test.ts#a read fault maps the zero page']);
  });

  it('between fast files with as many covering tests, takes the first by path', () => {
    expect(firstRound('/work/x/model/ops/gup.ts', [ids[0]!, ids[4]!])).toEqual([ids[0]]);
  });

  it('is empty when only slow files cover the mutant (then one round runs them all)', () => {
    expect(firstRound('/work/x/model/ops/gup.ts', [ids[5]!, ids[6]!])).toEqual([]);
  });

  it('registers one test runner plugin under the name stryker.config.mjs uses', () => {
    expect(strykerPlugins.map((p) => [p.kind, p.name])).toEqual([['TestRunner', 'vitest-own-tests-first']]);
  });
});

describe('the kept-thread pool, on the installed vitest', () => {
  it('runs a second run on the same thread (module state kept, the test file imported again) with that run own name filter', async () => {
    const vitest = await createVitest('test', {
      config: false,
      include: ['test/fixtures/kept-thread-probe.ts'],
      pool: 'threads',
      maxWorkers: 1,
      isolate: false,
      watch: false,
      reporters: [{}], // a reporter that reports nothing: the outer run prints the result
    });
    try {
      keepThread(vitest);
      const run = async (name: string) => {
        vitest.state.filesMap.clear();
        for (const p of vitest.projects) p.config.testNamePattern = new RegExp(`^${name}$`);
        await vitest.start(['test/fixtures/kept-thread-probe.ts']);
        return vitest.state.getFiles().flatMap((f) => f.tasks.map((t) => [t.name, t.result?.state ?? 'skipped']));
      };
      expect(await run('first run')).toEqual([['first run', 'pass'], ['second run', 'skipped']]);
      expect(await run('second run')).toEqual([['first run', 'skipped'], ['second run', 'pass']]);
    } finally {
      await vitest.close();
    }
  });
});
