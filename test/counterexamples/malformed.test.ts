/**
 * A property over malformed counterexample files: truncations, wrong types,
 * unknown ops, undeclared keys, huge and non-integer numbers, deep nesting,
 * long arrays and strings, other encodings, a BOM and control bytes. For
 * each, `replay` and `report` print exactly one clear line on stderr,
 * nothing on stdout, exit 2, and leave every file as it was.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { scratch } from '../scratch.ts';

const good = readFileSync('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json', 'utf8');
const goodJson = JSON.parse(good) as unknown;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside the good file (not the root). */
const paths = (v: unknown, at: ReadonlyArray<string | number> = []): ReadonlyArray<ReadonlyArray<string | number>> => {
  if (v === null || typeof v !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...at, k], ...paths(x, [...at, k])]);
};
const allPaths = paths(goodJson);
const numberPaths = allPaths.filter((p) => typeof get(goodJson, p) === 'number');
const objectPaths = allPaths.filter((p) => { const x = get(goodJson, p); return x !== null && typeof x === 'object' && !Array.isArray(x); });

function get(v: unknown, p: ReadonlyArray<string | number>): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], v);
}

/** The good file with the value at `p` replaced (a deep copy). */
const set = (p: ReadonlyArray<string | number>, x: unknown): Json => {
  const copy = JSON.parse(good) as Json;
  const parent = get(copy, p.slice(0, -1)) as Record<string | number, unknown>;
  parent[p[p.length - 1]!] = x;
  return copy;
};

const kind = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);

const text = (j: Json): Buffer => Buffer.from(JSON.stringify(j));


/** Bytes that are not a valid counterexample, each of a kind a user might hand in. */
const malformed: fc.Arbitrary<Buffer> = fc.oneof(
  // truncated anywhere
  fc.nat({ max: good.length - 2 }).map((n) => Buffer.from(good.slice(0, n))),
  // a value replaced by one of another JSON type
  fc.tuple(fc.constantFrom(...allPaths), fc.jsonValue()).filter(([p, x]) => kind(x) !== kind(get(goodJson, p))).map(([p, x]) => text(set(p, x as Json))),
  // an unknown operation
  fc.tuple(fc.nat({ max: 3 }), fc.string({ maxLength: 30 })).filter(([, s]) => !['mmap', 'p2p_map', 'munmap', 'device_write', 'fork'].includes(s)).map(([i, s]) => text(set(['steps', i, 'op'], s))),
  // a key nobody declared, own-property names included
  fc.tuple(fc.constantFrom(...objectPaths), fc.constantFrom('toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'extra', 'by'))
    // `by` is declared inside a step's args (the driver thread that made the call), nowhere else.
    .filter(([p, k]) => !(k === 'by' && p.at(-1) === 'args'))
    .map(([p, k]) =>
    Buffer.from(JSON.stringify(get(goodJson, p)) === '{}' ? good : good.replace(JSON.stringify(get(goodJson, p)).slice(0, -1), (m) => `${m},"${k}":1`)),
  ).filter((b) => b.toString() !== good),
  // huge, negative or non-integer numbers
  fc.tuple(fc.constantFrom(...numberPaths), fc.constantFrom(2 ** 53, 1e300, -1, 0.5, 1.000001, -(2 ** 31) - 1)).map(([p, x]) => text(set(p, x))),
  fc.constantFrom(...numberPaths).map((p) => Buffer.from(JSON.stringify(set(p, 0)).replace(/:0([,}])/, ':1e999$1'))),
  // deep nesting
  // (built as text: JSON.stringify of 20000 levels would overflow the test's own stack)
  fc.tuple(fc.constantFrom(...allPaths), fc.integer({ min: 9, max: 20_000 })).map(([p, d]) =>
    Buffer.from(JSON.stringify(set(p, 'DEEP')).replace('"DEEP"', `${'['.repeat(d)}0${']'.repeat(d)}`)),
  ),
  // long arrays and strings
  fc.integer({ min: 1001, max: 3000 }).map((n) => text(set(['steps'], Array.from({ length: n }, () => ({ op: 'fork', args: { mm: 0 } }))))),
  fc.tuple(fc.constantFrom(['design'], ['invariant'], ['title'], ['steps', 0, 'op'], ['found', 'by']), fc.integer({ min: 2001, max: 200_000 })).map(([p, n]) => text(set(p, 'x'.repeat(n)))),
  fc.integer({ min: 1, max: 20_000 }).map((n) => text(set(['steps', 0, 'args', 'mm'], Array.from({ length: n }, () => 0)))),
  // encodings: a BOM, UTF-16, bytes that are not UTF-8, control bytes spliced in
  fc.constant(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])),
  fc.constant(Buffer.from(`\ufeff${good}`, 'utf16le')),
  fc.tuple(fc.nat({ max: good.length }), fc.constantFrom(0xff, 0xc3, 0xfe, 0x80)).map(([i, b]) => Buffer.concat([Buffer.from(good.slice(0, i)), Buffer.from([b]), Buffer.from(good.slice(i))])),
  fc.tuple(fc.nat({ max: good.length }), fc.constantFrom('\x00', '\x07', '\x1b[2J', '\x1b]0;pwned\x07', '\x01', '\x1f')).map(([i, c]) => Buffer.from(good.slice(0, i) + c + good.slice(i))),
);

/** Run the CLI in this process, capturing what it prints. */
const cli = (argv: ReadonlyArray<string>) => {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    return { status: main(argv), stdout: out.join(''), stderr: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
};

/** The folder's listing and the bytes of the file under test. */
const snapshot = (dir: string, f: string) => [readdirSync(dir).sort(), readFileSync(f).toString('base64')];

/** Runs of the property; DMACHECK_MALFORMED_RUNS=10000 for a long session. */
const RUNS = Number(process.env.DMACHECK_MALFORMED_RUNS ?? 200);

describe('malformed counterexample files', () => {
  it('each gets one clear line and exit 2 from replay and report, and nothing is modified', () => {
    const dir = scratch('dmacheck-malformed-');
    let tried = 0;
    fc.assert(
      fc.property(malformed, (bytes) => {
        const f = join(dir, `case-${tried++}.json`);
        writeFileSync(f, bytes);
        const before = snapshot(dir, f);
        for (const argv of [['replay', f], ['report', f], ['report', f, '--format', 'json']]) {
          const r = cli(argv);
          expect(r.status, `${argv.join(' ')}: ${r.stderr}${r.stdout.slice(0, 300)}`).toBe(2);
          expect(r.stdout).toBe('');
          expect(r.stderr).toMatch(/^dmacheck: [\x20-\x7e]{1,400}\n$/);
        }
        expect(snapshot(dir, f)).toEqual(before);
      }),
      { seed: 9, numRuns: RUNS },
    );
    expect(tried).toBe(RUNS);
  });
});
