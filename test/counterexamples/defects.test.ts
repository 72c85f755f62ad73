/**
 * Defects found by trying dmacheck as a new user would (issue 9): each test
 * here failed before the fix.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { textReport, WIDTH } from '../../cli/cite/text.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { serialise } from '../../properties/counterexample/format.ts';
import { decodeCounterexample, loadErrorLine, MAX_STEPS } from '../../properties/counterexample/load.ts';
import { extraKey } from '../../properties/counterexample/strict.ts';

const good = readFileSync('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', 'utf8');
const goodJson = JSON.parse(good) as Record<string, unknown> & { steps: { op: string; args: Record<string, unknown> }[] };

/** The good file with `edit` applied to a deep copy of its JSON. */
const variant = (edit: (f: typeof goodJson) => void): string => {
  const f = JSON.parse(good) as typeof goodJson;
  edit(f);
  return JSON.stringify(f);
};

const errorLine = (text: string, source = 'x.json'): string => {
  const r = decodeCounterexample(source, text);
  if (E.isRight(r)) throw new Error(`accepted: ${text.slice(0, 200)}`);
  return loadErrorLine(r.left);
};

/** One line of printable ASCII, bounded. */
const expectClearLine = (line: string) => {
  expect(line).toMatch(/^[\x20-\x7e]+$/);
  expect(line.length).toBeLessThanOrEqual(400);
};

describe('own properties only', () => {
  for (const key of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'extra'])
    it(`an argument named ${key} is unknown`, () => {
      // JSON.parse makes "__proto__" an own key; building the text by hand keeps it one.
      const text = good.replace('{"mm":0,"start":0,"npages":1}', `{"mm":0,"start":0,"npages":1,"${key}":5}`);
      expect(errorLine(text)).toBe(`x.json: steps[3].args.${key}: unknown argument of munmap`);
    });
  it('an extra key inside backing is unknown, own-property names included', () => {
    for (const key of ['inode', 'toString', '__proto__'])
      expect(errorLine(good.replace('{"kind":"bar","bar":0}', `{"kind":"bar","bar":0,"${key}":1}`))).toBe(`x.json: steps[0].args.backing.${key}: unknown field`);
  });
  it('an extra key at the top, in a step or in found is unknown', () => {
    expect(errorLine(variant((f) => Object.assign(f, { seeds: 1 })))).toBe('x.json: seeds: unknown field');
    expect(errorLine(variant((f) => Object.assign(f.steps[1]!, { who: 'me' })))).toBe('x.json: steps[1].who: unknown field');
    expect(errorLine(good.replace('"found": {', '"found": {"constructor":1,'))).toBe('x.json: found.constructor: unknown field');
  });
  it('a field declared optional (as a later `by` of a step would be) is accepted and nothing else is', () => {
    const step = t.readonly(t.intersection([t.type({ op: t.string }), t.partial({ by: t.string })]));
    expect(extraKey(t.readonlyArray(step), [{ op: 'x', by: 'driver 1' }, { op: 'y' }])).toBeNull();
    expect(extraKey(t.readonlyArray(step), [{ op: 'x', bye: 1 }])).toEqual({ at: '[0]', key: 'bye' });
  });
  it('a report of a decoded file never prints a key the op does not declare', () => {
    const r = decodeCounterexample('x.json', good);
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(textReport(citationOf(r.right))).toContain('  4. munmap(mm=0, start=0, npages=1)\n');
  });
});

describe('depth, length and size are bounded before decoding', () => {
  it('a value nested 5000 levels deep is one line naming the field', () => {
    const n = 5000;
    const text = good.replace('{"mm":0,"start":0,"npages":1}', `{"mm":0,"start":0,"npages":${'['.repeat(n)}${']'.repeat(n)}}`);
    const line = errorLine(text);
    expect(line).toMatch(/^x\.json: steps\[3\]\.args\.npages(\[0\])+: nested deeper than 8 levels/);
    expectClearLine(line);
  });
  it(`more than ${MAX_STEPS} steps is refused, saying the limit`, () => {
    const text = variant((f) => {
      f.steps = Array.from({ length: MAX_STEPS + 1 }, () => ({ op: 'fork', args: { mm: 0 } }));
    });
    expect(errorLine(text)).toBe(`x.json: steps: ${MAX_STEPS + 1} steps is over the limit of ${MAX_STEPS} steps a counterexample file may have`);
  });
  it('a file over 1 MB is refused unread', () => {
    expect(errorLine(good.replace('"title": "', `"title": "${'x'.repeat(1 << 20)}`))).toMatch(/^x\.json: [0-9]+ characters is over the limit of 1048576/);
  });
});

describe('everything quoted is escaped and bounded', () => {
  it('JSON errors do not echo control bytes, ESC sequences or a BOM', () => {
    for (const text of ['\x1b[2J\x1b[H{', '{"a":\x00}', '\ufeff' + good, '{\n"format"\x07:1}', '\u202e{'])
      expectClearLine(errorLine(text));
    expect(errorLine('\ufeff' + good)).toBe('x.json: starts with a byte order mark (U+FEFF): save it as UTF-8 without one');
  });
  it('unknown design, invariant and op names are escaped and cut', () => {
    const name = `evil\n\x1b[31m${'y'.repeat(1_000_000)}`;
    for (const f of [(j: typeof goodJson) => (j.design = name), (j: typeof goodJson) => (j.invariant = name), (j: typeof goodJson) => (j.steps[0]!.op = name)]) {
      const line = errorLine(variant(f));
      expectClearLine(line);
      expect(line).toContain("'evil\\n\\x1b[31myyy");
      expect(line).toContain('...(1000010 characters)');
    }
  });
  it('a file name with a newline or an escape sequence stays one line', () => {
    const line = errorLine('nope', 'dir/a\nb\x1b[2J.json');
    expectClearLine(line);
    expect(line.startsWith('dir/a\\nb\\x1b[2J.json: not JSON')).toBe(true);
  });
});

describe('reports are plain ASCII', () => {
  const titled = (title: string) => {
    const r = decodeCounterexample('x.json', variant((f) => (f.title = title)));
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  const nasty = 'bell\x07 esc\x1b[2J caf\u00e9\n# not a heading';
  it('text: ESC, BEL, newlines and non-ASCII in a title are escaped; every line within 72 columns', () => {
    const text = textReport(citationOf(titled(nasty)));
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(WIDTH);
    for (const part of ['bell\\x07', 'esc\\x1b[2J', 'caf\\xe9\\n#']) expect(text).toContain(part);
  });
  it('markdown: a newline in a title does not start a heading', () => {
    const md = markdownReport(citationOf(titled(nasty)));
    expect(md).toMatch(/^[\x20-\x7e\n]*$/);
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(1);
  });
  it('json: the file normalised is ASCII too', () => {
    expect(serialise(titled(nasty).file)).toMatch(/^[\x20-\x7e\n]*$/);
  });
});
