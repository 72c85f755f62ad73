/**
 * A good counterexample file with one field changed at a time: the exact
 * error line the loader gives (field path, what it expected, the value cut
 * short), or null where the change is still a good file (the bounds of each
 * field: 200 characters, 2**31 - 1, ...).
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeCounterexample, loadErrorLine } from '../../properties/counterexample/load.ts';

const good = readFileSync('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', 'utf8');

/** Take the field out rather than set it. */
const DELETE = Symbol('delete');

/** The good file's JSON with the value at `path` replaced (the whole file when the path is empty). */
const edited = (path: ReadonlyArray<string | number>, value: unknown): unknown => {
  if (path.length === 0) return value;
  const root = JSON.parse(good) as Record<string, unknown>;
  let at: Record<string | number, unknown> = root;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return root;
};

const cases: ReadonlyArray<readonly [string, ReadonlyArray<string | number>, unknown, string | null]> = [
  ["format", ["format"], "dmacheck", "x.json: format: expected \"dmacheck-counterexample\", got \"dmacheck\""],
  ["format missing", ["format"], DELETE, "x.json: format: expected \"dmacheck-counterexample\", got nothing"],
  ["version 2", ["version"], 2, "x.json: version: 2 is newer than this dmacheck understands (1)"],
  ["version 0", ["version"], 0, "x.json: version: expected 1, got 0"],
  ["version -1", ["version"], -1, "x.json: version: expected a whole number, got -1"],
  ["version string", ["version"], "1", "x.json: version: expected a whole number, got \"1\""],
  ["design", ["design"], "nope", "x.json: design: unknown design 'nope'"],
  ["design number", ["design"], 7, "x.json: design: expected a string, got 7"],
  ["invariant", ["invariant"], "nope", "x.json: invariant: unknown invariant 'nope'"],
  ["steps not array", ["steps"], {}, "x.json: steps: expected ReadonlyArray<a step {op, args}>, got {}"],
  ["step not object", ["steps", 0], 3, "x.json: steps[0]: expected { op: string, args: UnknownRecord }, got 3"],
  ["op unknown", ["steps", 0, "op"], "nope", "x.json: steps[0].op: unknown operation 'nope'"],
  ["op missing", ["steps", 0, "op"], DELETE, "x.json: steps[0].op: expected a string, got nothing"],
  ["args missing", ["steps", 0, "args"], DELETE, "x.json: steps[0].args: expected an object, got nothing"],
  ["arg wrong type", ["steps", 0, "args", "mm"], "x", "x.json: steps[0].args.mm: expected a whole number, got \"x\""],
  ["arg negative", ["steps", 0, "args", "mm"], -1, "x.json: steps[0].args.mm: expected a whole number, got -1"],
  ["arg missing", ["steps", 0, "args", "npages"], DELETE, "x.json: steps[0].args.npages: expected a whole number, got nothing"],
  ["nested arg", ["steps", 0, "args", "backing"], { kind: "bar", bar: "x" }, "x.json: steps[0].args.backing: expected a backing: {kind: anon} | {kind: file, inode} | {kind: file-private, inode} | {kind: bar, bar} | {kind: p2pmem, bar[, insert_fails_at]}, got {\"kind\":\"bar\",\"bar\":\"x\"}"],
  ["nested kind", ["steps", 0, "args", "backing"], { kind: "nope" }, "x.json: steps[0].args.backing: expected a backing: {kind: anon} | {kind: file, inode} | {kind: file-private, inode} | {kind: bar, bar} | {kind: p2pmem, bar[, insert_fails_at]}, got {\"kind\":\"nope\"}"],
  ["by ok", ["steps", 1, "args", "by"], 3, null],
  ["by bad", ["steps", 1, "args", "by"], -2, "x.json: steps[1].args.by: expected a thread id (a whole number), got -2"],
  ["violatesAt 0", ["violatesAt"], 0, "x.json: violatesAt: must be a step number from 1 to 4, got 0"],
  ["violatesAt big", ["violatesAt"], 99, "x.json: violatesAt: must be a step number from 1 to 4, got 99"],
  ["violatesAt frac", ["violatesAt"], 1.5, "x.json: violatesAt: expected a whole number, got 1.5"],
  ["found missing", ["found"], DELETE, "x.json: found: expected { by: a string of at most 200 characters, date: a string of at most 40 characters }, got nothing"],
  ["found.by long", ["found", "by"], "x".repeat(201), "x.json: found.by: expected a string of at most 200 characters, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...(43 characters)"],
  ["found.by 200", ["found", "by"], "x".repeat(200), null],
  ["found.seed big", ["found", "seed"], 2 ** 31, "x.json: found.seed: expected a 32-bit integer, got 2147483648"],
  ["found.seed max", ["found", "seed"], 2 ** 31 - 1, null],
  ["found.seed min", ["found", "seed"], -(2 ** 31), null],
  ["found.seed below", ["found", "seed"], -(2 ** 31) - 1, "x.json: found.seed: expected a 32-bit integer, got -2147483649"],
  ["found.seed frac", ["found", "seed"], 1.5, "x.json: found.seed: expected a 32-bit integer, got 1.5"],
  ["found.date long", ["found", "date"], "d".repeat(41), "x.json: found.date: expected a string of at most 40 characters, got \"ddddddddddddddddddddddddddddddddddddddd...(43 characters)"],
  ["title long", ["title"], "t".repeat(201), "x.json: title: expected a string of at most 200 characters, got \"ttttttttttttttttttttttttttttttttttttttt...(43 characters)"],
  ["note long", ["note"], "n".repeat(2001), "x.json: note: expected a string of at most 2000 characters, got \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...(43 characters)"],
  ["note ok", ["note"], "n".repeat(2000), null],
  ["array root", [], [1, 2], "x.json: expected a JSON object, got [1,2]"],
  ["deep", ["note"], [[[[[[[[[1]]]]]]]]], "x.json: note[0][0][0][0][0][0][0]: nested deeper than 8 levels (a counterexample file needs 5)"],
  ["deep object", ["steps", 0, "args", "backing"], {a: {b: {c: {d: {e: {f: {g: 1}}}}}}}, "x.json: steps[0].args.backing.a.b.c.d: nested deeper than 8 levels (a counterexample file needs 5)"],
  ["long array value", ["steps", 0, "args", "mm"], Array.from({ length: 50 }, (_, i) => i), "x.json: steps[0].args.mm: expected a whole number, got [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1...(46 characters)"],
  ["long object value", ["steps", 0, "args", "mm"], Object.fromEntries(Array.from({ length: 20 }, (_, i) => ["k" + i, i])), "x.json: steps[0].args.mm: expected a whole number, got {\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\"...(47 characters)"],
  ["long string value", ["steps", 0, "args", "mm"], "s".repeat(100), "x.json: steps[0].args.mm: expected a whole number, got \"sssssssssssssssssssssssssssssssssssssss...(43 characters)"],
  ["null value", ["steps", 0, "args", "mm"], null, "x.json: steps[0].args.mm: expected a whole number, got null"],
  ["bool value", ["steps", 0, "args", "mm"], true, "x.json: steps[0].args.mm: expected a whole number, got true"],
];

describe('the loader names the field and what it expected', () => {
  it('the unchanged file loads', () => {
    expect(E.isRight(decodeCounterexample('x.json', good))).toBe(true);
  });
  for (const [name, path, value, line] of cases)
    it(`${name}: ${line ?? 'loads'}`, () => {
      const r = decodeCounterexample('x.json', JSON.stringify(edited(path, value)));
      expect(E.isLeft(r) ? loadErrorLine(r.left) : null).toBe(line);
    });
});
