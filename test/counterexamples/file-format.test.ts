/**
 * The counterexample file of the munmap-under-p2p_map trace (vma-p2p-map,
 * map-within-vma-lifetime at step 4): how it is built from the trace
 * (title and provenance only when given, the day it was found), written
 * (plain ASCII, fields in order, never overwriting, never over a leftover
 * temporary file) and what the codecs accept at their bounds.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson, type CounterexampleFile, CounterexampleFileCodec, counterexamplePath, FoundCodec, serialise } from '../../properties/counterexample/format.ts';
import { type Counterexample, decodeCounterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { saveCounterexample, toCounterexampleFile } from '../../properties/counterexample/save.ts';

const cx = (loadCounterexample('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json') as E.Right<Counterexample>).right;
const STEPS = [
  '    {"op":"mmap","args":{"mm":0,"npages":1,"backing":{"kind":"bar","bar":0}}},',
  '    {"op":"p2p_map","args":{"vma":1,"dev":1,"write":true}},',
  '    {"op":"device_program","args":{"dev":1,"mapping":2}},',
  '    {"op":"munmap","args":{"mm":0,"start":0,"npages":1}}',
];

afterEach(() => {
  vi.useRealTimers();
});

describe('the counterexample file of munmap under a live p2p_map', () => {
  it('built from the trace without a title or seed: found by, and the day it was found', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T23:59:00Z'));
    const f = toCounterexampleFile(cx.design, 'map-within-vma-lifetime', cx.ops, { by: 'dmacheck explore (breadth-first)' });
    expect(f).toStrictEqual({
      format: 'dmacheck-counterexample',
      version: 1,
      design: 'vma-p2p-map',
      invariant: 'map-within-vma-lifetime',
      violatesAt: 4,
      steps: cx.file.steps,
      found: { by: 'dmacheck explore (breadth-first)', date: '2026-03-04' },
    });
  });

  it('built from a fast-check run: its title, seed, path and fast-check version', () => {
    const f = toCounterexampleFile(cx.design, 'map-within-vma-lifetime', cx.ops, { by: 'fast-check', seed: -7, path: '3:1' }, 'munmap under p2p_map');
    expect(f.title).toBe('munmap under p2p_map');
    expect(Object.keys(f.found)).toStrictEqual(['by', 'seed', 'path', 'fastCheckVersion', 'date']);
    expect(f.found).toMatchObject({ by: 'fast-check', seed: -7, path: '3:1', fastCheckVersion: fc.__version });
  });

  it('written as plain ASCII, one step per line, the note last', () => {
    const f: CounterexampleFile = { ...cx.file, title: 'munmap \u2013 caf\u00e9', note: 'seen on 6.9' };
    expect(serialise(f)).toBe(
      [
        '{',
        '  "format": "dmacheck-counterexample",',
        '  "version": 1,',
        '  "design": "vma-p2p-map",',
        '  "invariant": "map-within-vma-lifetime",',
        '  "title": "munmap \\u2013 caf\\u00e9",',
        '  "violatesAt": 4,',
        '  "steps": [',
        ...STEPS,
        '  ],',
        '  "found": {"by":"dmacheck explore (breadth-first)","date":"2026-11-26"},',
        '  "note": "seen on 6.9"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('the hashed form keeps a null as null', () => {
    expect(canonicalJson({ b: null, a: [1, 'x'] })).toBe('{"a":[1,"x"],"b":null}');
  });

  it('saved twice: written once, the second save finds the same id and leaves the file alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'dmacheck-save-'));
    const path = counterexamplePath(root, cx.file);
    expect(saveCounterexample(root, cx.file)).toStrictEqual(E.right({ path, written: true }));
    expect(saveCounterexample(root, { ...cx.file, note: 'other' })).toStrictEqual(E.right({ path, written: false }));
    expect(readFileSync(path, 'utf8')).toBe(serialise(cx.file));
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });

  it('a leftover temporary file (of this process id, from an earlier run) is neither in the way nor written over', () => {
    const root = mkdtempSync(join(tmpdir(), 'dmacheck-save-'));
    const path = counterexamplePath(root, cx.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, 'someone else');
    expect(saveCounterexample(root, cx.file)).toStrictEqual(E.right({ path, written: true }));
    expect(readFileSync(`${path}.${process.pid}.tmp`, 'utf8')).toBe('someone else');
  });

  it('a seed is a 32-bit integer: -2^31 and 2^31 - 1 are, one past either, 1.5 or "1" are not', () => {
    const seed = (s: unknown) => FoundCodec.is({ by: 'fast-check', date: '2026-01-01', seed: s });
    expect([-(2 ** 31), 2 ** 31 - 1, 0].map(seed)).toStrictEqual([true, true, true]);
    expect([-(2 ** 31) - 1, 2 ** 31, 1.5, '1'].map(seed)).toStrictEqual([false, false, false, false]);
  });

  it('the found date is a string of at most 40 characters', () => {
    const date = (d: unknown) => FoundCodec.is({ by: 'x', date: d });
    expect([date('d'.repeat(40)), date('d'.repeat(41)), date(20260101)]).toStrictEqual([true, false, false]);
    expect(FoundCodec.is({ by: ['dmacheck explore'], date: '2026-01-01' })).toBe(false);
    expect(CounterexampleFileCodec.is(cx.file)).toBe(true);
  });

  it('a seed one past 2^31 - 1 in a file is refused with its path', () => {
    const text = serialise({ ...cx.file, found: { ...cx.file.found, seed: 2 ** 31 } });
    const r = decodeCounterexample('x.json', text);
    expect(E.isLeft(r) && `${r.left.path}: ${r.left.message}`).toBe('found.seed: expected a 32-bit integer, got 2147483648');
  });
});
