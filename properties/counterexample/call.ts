/**
 * One kernel call as a trace prints it (properties/trace.ts `formatOp`):
 * `mmap(mm=0, npages=1, backing=file(inode=0))`, back to the `{ op, args }`
 * a counterexample file holds. Blanks do not matter (the call may have
 * been wrapped anywhere, even inside a word). The text alone is ambiguous
 * (`err=0` is the string '0', `mm=0` the number 0, `backing=anon` the
 * object {kind: anon}), so each argument takes the first reading its
 * op's codec (model/op.ts) accepts; the loader then decodes the step as
 * it decodes a file's. No op or argument is named here.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isOpKind, opArgs } from '../../model/op.ts';
import type { StepJson } from './format.ts';
import { MAX_DEPTH } from './load.ts';
import { clip } from './quote.ts';
import { declared, extraKey } from './strict.ts';

type Value = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'call'; readonly name: string | undefined; readonly args: ReadonlyArray<readonly [string, Value]> };

/** Readings of one value, most natural first; bounded, since arguments nest at most MAX_DEPTH deep. */
const MAX_READINGS = 64;

/**
 * Arguments a nested value may have: every object an op takes has a few
 * fields (`backing=file(inode=0)`), and each argument of a nested value
 * multiplies the readings to try, so thousands of them took minutes.
 */
export const MAX_NESTED_ARGS = 64;

const wordReadings = (w: string): ReadonlyArray<unknown> => {
  if (/^-?[0-9]+$/.test(w) && Number.isSafeInteger(Number(w))) return [Number(w), w];
  if (w === 'true' || w === 'false') return [w === 'true', w];
  return [w, { kind: w }];
};

const readings = (v: Value): ReadonlyArray<unknown> => {
  if (v.kind === 'word') return wordReadings(v.text);
  let objects: ReadonlyArray<ReadonlyArray<readonly [string, unknown]>> = [v.name === undefined ? [] : [['kind', v.name]]];
  for (const [k, x] of v.args) objects = objects.flatMap((o) => readings(x).map((r) => [...o, [k, r] as const])).slice(0, MAX_READINGS);
  // An array prints as its indices (`pages={0=1, 1=0}`): read such a value as the array too.
  const indexed = v.name === undefined && v.args.length > 0 && v.args.every(([k], i) => k === String(i));
  return objects.flatMap((o) => (indexed ? [Object.fromEntries(o), o.map(([, x]) => x)] : [Object.fromEntries(o)]));
};

const fits = (codec: t.Decoder<unknown, unknown>, u: unknown): boolean => E.isRight(codec.decode(u)) && extraKey(codec, u) === null;

/** A little recursive-descent parser over the call with its blanks removed. */
class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  rest(): string {
    return this.pos >= this.s.length ? 'the end' : `'${clip(this.s.slice(this.pos), 30)}'`;
  }
  /** Read in place (a sticky regex): slicing off the rest for every word made a long call quadratic. */
  private static readonly WORD = /[^(),={}]+/y;
  word(what: string): string {
    Reader.WORD.lastIndex = this.pos;
    const m = Reader.WORD.exec(this.s);
    if (m === null) throw new SyntaxError(`expected ${what}, got ${this.rest()}`);
    this.pos += m[0].length;
    return m[0];
  }
  expect(c: string, what: string): void {
    if (this.peek() !== c) throw new SyntaxError(`expected ${what}, got ${this.rest()}`);
    this.pos++;
  }
  /** `name=value, ...` up to the closing bracket `close`. */
  args(close: string, depth: number): ReadonlyArray<readonly [string, Value]> {
    if (depth > MAX_DEPTH) throw new SyntaxError(`arguments nested deeper than ${MAX_DEPTH} levels`);
    const out: [string, Value][] = [];
    const seen = new Set<string>();
    if (this.peek() === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      const name = this.word("an argument 'name=value'");
      if (seen.has(name)) throw new SyntaxError(`argument '${clip(name, 40)}' given twice`);
      if (depth > 1 && out.length >= MAX_NESTED_ARGS) throw new SyntaxError(`a nested value with more than ${MAX_NESTED_ARGS} arguments`);
      seen.add(name);
      this.expect('=', `'=' after '${clip(name, 40)}'`);
      out.push([name, this.value(depth)]);
      if (this.peek() === close) {
        this.pos++;
        return out;
      }
      this.expect(',', `',' or '${close}'`);
    }
  }
  value(depth: number): Value {
    if (this.peek() === '{') {
      this.pos++;
      return { kind: 'call', name: undefined, args: this.args('}', depth + 1) };
    }
    const w = this.word('a value');
    if (this.peek() !== '(') return { kind: 'word', text: w };
    this.pos++;
    return { kind: 'call', name: w, args: this.args(')', depth + 1) };
  }
}

/** `text` (one call, blanks anywhere) as a step of a counterexample file, or what was expected where it went wrong. */
export const parseCall = (text: string): E.Either<string, StepJson> => {
  const r = new Reader(text.replace(/\s+/g, ''));
  try {
    const op = r.word("an operation name 'op(args)'");
    r.expect('(', `'(' after '${clip(op, 40)}'`);
    const args = r.args(')', 1);
    if (r.pos < r.s.length) throw new SyntaxError(`expected nothing after the call's ')', got ${r.rest()}`);
    const fields = isOpKind(op) ? declared(opArgs[op]) : null;
    const chosen = args.map(([k, v]) => {
      const all = readings(v);
      const codec = fields !== null && Object.hasOwn(fields, k) ? fields[k] : undefined;
      return [k, (codec === undefined ? undefined : all.find((x) => fits(codec, x))) ?? all[0]] as const;
    });
    return E.right({ op, args: Object.fromEntries(chosen) });
  } catch (err) {
    if (err instanceof SyntaxError) return E.left(err.message);
    throw err;
  }
};
