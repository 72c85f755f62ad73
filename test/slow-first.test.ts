/**
 * The split of `npm test -- --shard i/n` (test/slow-first.ts): every file
 * in exactly one shard, the slow files spread so that shards finish
 * together, the same split for every shard's process.
 */
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import SlowFirst from './slow-first.ts';

const root = '/repo';
const files = [
  'test/check-defaults.test.ts',
  'test/check-defaults-more.test.ts',
  'test/html/viewer-browser.test.ts',
  'test/cli-robustness.test.ts',
  'test/cli-paste.test.ts',
  ...Array.from({ length: 40 }, (_, i) => `test/model/m${i}.test.ts`),
].map((f) => ({ moduleId: `${root}/${f}`, project: { name: f.startsWith('test/model/') ? 'unit' : 'isolated' } }) as unknown as TestSpecification);

const shard = (index: number, count: number) => new SlowFirst({ config: { root, shard: { index, count } } } as unknown as Vitest).shard(files);

describe('the shards of npm test', () => {
  it('put every file in exactly one of two shards, and the two check-defaults files in different ones', async () => {
    const [a, b] = [await shard(1, 2), await shard(2, 2)];
    expect([...a, ...b].map((f) => f.moduleId).sort()).toEqual(files.map((f) => f.moduleId).sort());
    expect(a.filter((f) => b.includes(f))).toEqual([]);
    const inA = (name: string) => a.some((f) => f.moduleId.endsWith(name));
    expect(inA('/check-defaults.test.ts')).not.toBe(inA('/check-defaults-more.test.ts'));
  });

  it('gives three shards loads within the longest file of each other, the same on every call', async () => {
    const load = (xs: ReadonlyArray<TestSpecification>) => xs.length;
    const three = [await shard(1, 3), await shard(2, 3), await shard(3, 3)];
    expect(three.map(load).reduce((x, y) => x + y)).toBe(files.length);
    expect((await shard(2, 3)).map((f) => f.moduleId)).toEqual(three[1]!.map((f) => f.moduleId));
    // check-defaults-more (60 s), check-defaults (46 s) and the browser (29 s) each lead a shard.
    for (const [i, name] of [[0, 'check-defaults-more'], [1, 'check-defaults.test'], [2, 'viewer-browser']] as const) expect(three[i]!.some((f) => f.moduleId.includes(name))).toBe(true);
  });
});
