/**
 * The counterexample loader at its limits: a file read from disk (missing,
 * over 1 MiB, not UTF-8, with a byte order mark), the size and step
 * bounds exactly at and one past the limit, the order of its first checks,
 * and how much of a bad value an error line shows. Each case is the exact
 * error line, on the munmap-under-p2p_map trace of vma-p2p-map.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type Counterexample, decodeCounterexample, type LoadError, loadCounterexample, loadErrorLine, MAX_FILE_BYTES, MAX_STEPS } from '../../properties/counterexample/load.ts';

const goodText = readFileSync('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', 'utf8');
const good = JSON.parse(goodText) as Record<string, unknown> & { steps: unknown[] };

const line = (r: E.Either<LoadError, Counterexample>): string => (E.isLeft(r) ? loadErrorLine(r.left) : 'read');
const decoded = (patch: Record<string, unknown>): string => line(decodeCounterexample('x.json', JSON.stringify({ ...good, ...patch })));

const dir = mkdtempSync(join(tmpdir(), 'dmacheck-load-'));
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe('the counterexample loader at its limits', () => {
  it('a file that is not there: cannot read (ENOENT)', () => {
    expect(line(loadCounterexample(join(dir, 'missing.json')))).toBe(`${join(dir, 'missing.json')}: cannot read (ENOENT)`);
  });

  it('a file one byte over 1 MiB is refused unread, one of exactly 1 MiB is parsed', () => {
    const over = file('over.json', ' '.repeat(MAX_FILE_BYTES + 1));
    expect(line(loadCounterexample(over))).toBe(`${over}: 1048577 bytes is over the limit of 1048576 for a counterexample file`);
    const at = file('at.json', ' '.repeat(MAX_FILE_BYTES));
    expect(line(loadCounterexample(at))).toBe(`${at}: not JSON (Unexpected end of JSON input)`);
  });

  it('text of exactly 1 MiB characters is parsed, one more is refused', () => {
    expect(line(decodeCounterexample('x.json', ' '.repeat(MAX_FILE_BYTES)))).toBe('x.json: not JSON (Unexpected end of JSON input)');
    expect(line(decodeCounterexample('x.json', ' '.repeat(MAX_FILE_BYTES + 1)))).toBe('x.json: 1048577 characters is over the limit of 1048576 for a counterexample file');
  });

  it('a file that is not UTF-8 is refused', () => {
    const p = file('latin1.json', new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(line(loadCounterexample(p))).toBe(`${p}: not UTF-8 text`);
  });

  it('a file saved with a byte order mark keeps it, and is refused for it', () => {
    const p = file('bom.json', `\ufeff${goodText}`);
    expect(line(loadCounterexample(p))).toBe(`${p}: starts with a byte order mark (U+FEFF): save it as UTF-8 without one`);
  });

  it('a file that is a number, not an object', () => {
    expect(line(decodeCounterexample('x.json', '3'))).toBe('x.json: expected a JSON object, got 3');
  });

  it('a wrong format is named before a too-new version', () => {
    expect(decoded({ format: 'dmacheck', version: 2 })).toBe('x.json: format: expected "dmacheck-counterexample", got "dmacheck"');
  });

  it('a version "2" written as a string is no whole number, not a newer version', () => {
    expect(decoded({ version: '2' })).toBe('x.json: version: expected a whole number, got "2"');
  });

  it(`${MAX_STEPS} steps are read one by one, ${MAX_STEPS + 1} are refused before any is read`, () => {
    const steps = (n: number) => Array.from({ length: n }, () => 3);
    expect(decoded({ steps: steps(MAX_STEPS) })).toBe('x.json: steps[0]: expected { op: string, args: UnknownRecord }, got 3');
    expect(decoded({ steps: steps(MAX_STEPS + 1) })).toBe('x.json: steps: 1001 steps is over the limit of 1000 steps a counterexample file may have');
  });

  it('a bad eleventh step is named steps[10]', () => {
    expect(decoded({ steps: [...good.steps, ...good.steps, good.steps[0], good.steps[1], 3] })).toBe('x.json: steps[10]: expected { op: string, args: UnknownRecord }, got 3');
  });

  it('nesting too deep under long keys names the first 20 characters of each key', () => {
    const deep = { ['k'.repeat(30)]: { ['j'.repeat(30)]: { a: { a: { a: { a: { a: { a: { a: { a: 1 } } } } } } } } } };
    expect(decoded(deep)).toBe(`x.json: ${'k'.repeat(20)}.${'j'.repeat(20)}.a.a.a.a.a.a: nested deeper than 8 levels (a counterexample file needs 5)`);
  });

  const shown: ReadonlyArray<readonly [string, unknown, string]> = [
    ['a long string in an array', ['a'.repeat(50)], `["${'a'.repeat(38)}...(43 characters)`],
    ['a long key', { ['k'.repeat(50)]: 1 }, `{"${'k'.repeat(38)}...(46 characters)`],
    ['a long string in a nested object', { a: { b: 'c'.repeat(50) } }, `{"a":{"b":"${'c'.repeat(29)}...(51 characters)`],
    ['an object whose first field fills the 40 characters exactly', { ['k'.repeat(33)]: 1, b: 2 }, `{"${'k'.repeat(33)}":1,"...(45 characters)`],
  ];
  for (const [name, value, got] of shown)
    it(`a version that is ${name} is shown cut to 40 characters`, () => {
      expect(decoded({ version: value })).toBe(`x.json: version: expected a whole number, got ${got}`);
    });
});
