/**
 * A printed kernel call read back into a step: which reading a number-like
 * word gets, untagged braces, nesting through braces, and the bound on the
 * readings tried for a call with many arguments.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCall } from '../../properties/counterexample/call.ts';

const ok = (text: string) => {
  const r = parseCall(text);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('a printed kernel call read back', () => {
  it('munmap with two-digit numbers reads them as numbers', () => {
    expect(ok('munmap(mm=10, start=12, npages=-34)')).toStrictEqual({ op: 'munmap', args: { mm: 10, start: 12, npages: -34 } });
  });

  it('words JavaScript would read as numbers (0x10, 1e5, +5) stay words', () => {
    expect(ok('no_such_op(a=0x10, b=1e5, c=+5)')).toStrictEqual({ op: 'no_such_op', args: { a: '0x10', b: '1e5', c: '+5' } });
  });

  it('untagged braces have no kind field', () => {
    expect(ok('no_such_op(e={f=3})')).toStrictEqual({ op: 'no_such_op', args: { e: { f: 3 } } });
  });

  it('braces nested nine deep are refused like calls nested nine deep', () => {
    const nest = (n: number): string => (n === 0 ? 'z' : `{x=${nest(n - 1)}}`);
    expect(parseCall(`a(b=${nest(8)})`)).toStrictEqual(E.left('arguments nested deeper than 8 levels'));
    expect(E.isRight(parseCall(`a(b=${nest(7)})`))).toBe(true);
  });

  it('a value with 40 arguments is read at once, each taking its first reading', () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${i}`);
    const r = ok(`no_such_op(v=x(${names.map((n) => `${n}=1`).join(', ')}))`);
    expect(r.args).toStrictEqual({ v: { kind: 'x', ...Object.fromEntries(names.map((n) => [n, 1])) } });
  });
});
