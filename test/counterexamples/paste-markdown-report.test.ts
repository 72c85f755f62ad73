/**
 * The markdown report of the munmap-then-device_write use-after-free
 * (counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json) as a
 * mail client or a reviewer may leave it: cut short, re-wrapped, indented,
 * a table row broken, a cell escaped. Each case gives the exact claims read
 * back or the exact one-line error.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadErrorLine } from '../../properties/counterexample/load.ts';
import { mailLines } from '../../properties/counterexample/mail.ts';
import { parsePaste } from '../../properties/counterexample/paste.ts';
import { parseMarkdownReport } from '../../properties/counterexample/paste-markdown.ts';
import type { PastedReport } from '../../properties/counterexample/pasted.ts';

const HEAD = '### dmacheck counterexample `f522f807c4`: the device writes the BAR window the exporter gave back at munmap';
const DESIGN = 'Design `vma-p2p-map` violates `no-dma-after-free` at step 5.';
const VERSION = 'Trace format version 1: paste this report into `npx dmacheck replay -` to replay it.';
const TABLE = ['| # | kernel call | effect |', '|---:|---|---|'];
const ROWS = [
  '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` |  |',
  '| 2 | `p2p_map(vma=1, dev=1, write=true)` |  |',
  '| 3 | `device_program(dev=1, mapping=2)` | device 1 programmed with mapping 2 |',
  '| 4 | `munmap(mm=0, start=0, npages=1)` | vma 1 destroyed |',
  '| 5 | `device_write(mapping=2, index=0)` | device 1 wrote pfn 6 **<- violates `no-dma-after-free`** |',
];
const VIOLATION = '**Violation (step 5):** device 1 wrote pfn 6 through mapping 2, but that memory was freed.';

const STEPS = [
  { line: 9, call: 'mmap(mm=0, npages=1, backing=bar(bar=0))', effects: '' },
  { line: 10, call: 'p2p_map(vma=1, dev=1, write=true)', effects: '' },
  { line: 11, call: 'device_program(dev=1, mapping=2)', effects: 'device 1 programmed with mapping 2' },
  { line: 12, call: 'munmap(mm=0, start=0, npages=1)', effects: 'vma 1 destroyed' },
  { line: 13, call: 'device_write(mapping=2, index=0)', effects: 'device 1 wrote pfn 6' },
];

const read = (text: string): E.Either<{ line: number; message: string }, PastedReport> => parseMarkdownReport(mailLines(text));
const report = (text: string): PastedReport => {
  const r = read(text);
  if (E.isLeft(r)) throw new Error(`line ${r.left.line}: ${r.left.message}`);
  return r.right;
};
const error = (text: string): string => {
  const all = parsePaste('mail.txt', text, '2026-01-01');
  expect(all).toHaveLength(1);
  const r = all[0]!;
  if (E.isRight(r)) throw new Error(`read back: ${text}`);
  return loadErrorLine(r.left);
};

const whole = [HEAD, '', DESIGN, '', VERSION, '', ...TABLE, ...ROWS, '', VIOLATION].join('\n');

describe('a pasted markdown report of the munmap use-after-free', () => {
  it('reads every claim back with the line it stands on', () => {
    expect(report(whole)).toStrictEqual({
      kind: 'markdown',
      line: 1,
      id: 'f522f807c4',
      title: 'the device writes the BAR window the exporter gave back at munmap',
      version: { line: 5, value: 1 },
      design: { line: 3, value: 'vma-p2p-map' },
      invariant: { line: 3, value: 'no-dma-after-free' },
      violatesAt: { line: 3, value: 5 },
      found: undefined,
      steps: STEPS,
      violation: { line: 15, at: 5, invariant: 'no-dma-after-free', message: 'device 1 wrote pfn 6 through mapping 2, but that memory was freed' },
    });
  });

  it('a pasted markdown report is found by "a pasted markdown report"', () => {
    const [r] = parsePaste('mail.txt', whole, '2026-01-01');
    expect(E.isRight(r!) && r.right.counterexample.file.found).toStrictEqual({ by: 'a pasted markdown report', date: '2026-01-01' });
  });

  it('a mail cut right after the last table row (device_write) still reads, with no violation sentence', () => {
    const r = report([HEAD, '', DESIGN, '', ...TABLE, ...ROWS].join('\n'));
    expect(r.steps).toStrictEqual(STEPS.map((s) => ({ ...s, line: s.line - 2 })));
    expect(r.version).toBeUndefined();
    expect(r.violation).toBeUndefined();
  });

  it('a report followed by other text than the violation has no violation sentence', () => {
    expect(report([HEAD, '', DESIGN, '', ...TABLE, ...ROWS, '', 'Replay:', '', 'npx dmacheck replay x.json'].join('\n')).violation).toBeUndefined();
  });

  it('a heading wrapped over two lines keeps its whole title', () => {
    const r = report([HEAD.replace(' exporter gave back at munmap', ''), 'exporter gave back at munmap', '', DESIGN, '', ...TABLE, ...ROWS].join('\n'));
    expect(r.title).toBe('the device writes the BAR window the exporter gave back at munmap');
    expect(r.design.line).toBe(4);
  });

  it('an escaped pipe in the title and in an effect cell reads as a pipe, and the cell is trimmed', () => {
    const r = report([`${HEAD} a \\| b`, '', DESIGN, '', ...TABLE, ROWS[0]!, '| 2 | ` p2p_map(vma=1, dev=1, write=true) ` |   x \\| y   |'].join('\n'));
    expect(r.title).toBe('the device writes the BAR window the exporter gave back at munmap a | b');
    expect(r.steps[1]).toStrictEqual({ line: 8, call: 'p2p_map(vma=1, dev=1, write=true)', effects: 'x | y' });
  });

  it('the design sentence directly followed by an indented table (no empty line) reads the same steps', () => {
    const r = report([HEAD, '', DESIGN, ...[...TABLE, ...ROWS].map((l) => `  ${l}`)].join('\n'));
    expect(r.design).toStrictEqual({ line: 3, value: 'vma-p2p-map' });
    expect(r.steps.map((s) => s.call)).toStrictEqual(STEPS.map((s) => s.call));
  });

  it('an indented table after an empty line reads the same steps', () => {
    const r = report([HEAD, '', DESIGN, '', ...[...TABLE, ...ROWS].map((l) => `  ${l}`)].join('\n'));
    expect(r.steps.map((s) => s.line)).toStrictEqual([7, 8, 9, 10, 11]);
  });

  it('a munmap row broken by a mail client is joined again, and so is the last (device_write) row', () => {
    const r = report([HEAD, '', DESIGN, '', ...TABLE, ...ROWS.slice(0, 3), '| 4 | `munmap(mm=0, start=0,', 'npages=1)` | vma 1 destroyed |', '| 5 | `device_write(mapping=2, index=0)` | device 1', 'wrote pfn 6 |'].join('\n'));
    expect(r.steps.slice(3)).toStrictEqual([
      { line: 10, call: 'munmap(mm=0, start=0, npages=1)', effects: 'vma 1 destroyed' },
      { line: 12, call: 'device_write(mapping=2, index=0)', effects: 'device 1 wrote pfn 6' },
    ]);
  });

  it('a violation sentence indented by the mail client is still read, a dot inside it kept', () => {
    const r = report([HEAD, '', DESIGN, '', ...TABLE, ...ROWS, '', '  **Violation (step 5):** device 1 wrote pfn 6.0 through', 'mapping 2.'].join('\n'));
    expect(r.violation).toStrictEqual({ line: 13, at: 5, invariant: 'no-dma-after-free', message: 'device 1 wrote pfn 6.0 through mapping 2' });
  });

  it('Trace format version 2 is refused on its own line', () => {
    expect(error(whole.replace('Trace format version 1', 'Trace format version 2'))).toBe('mail.txt: line 5: version: 2 is newer than this dmacheck understands (1)');
  });

  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['only the heading', HEAD, "mail.txt: line 1: expected 'Design `ID` violates `INVARIANT` at step N.', got the end of the text"],
    ['cut after the design sentence', [HEAD, '', DESIGN].join('\n'), "mail.txt: line 1: expected '| # | kernel call | effect |', got the end of the text"],
    ['the table without the design sentence', [HEAD, '', ...TABLE, ...ROWS].join('\n'), "mail.txt: line 3: expected 'Design `ID` violates `INVARIANT` at step N.', got '| # | kernel call | effect |'"],
    ['the table head without its last pipe, right after the design', [HEAD, '', DESIGN, '| # | kernel call | effect', TABLE[1]!, ...ROWS].join('\n'), "mail.txt: line 4: expected '| # | kernel call | effect |', got '| # | kernel call | effect'"],
    ['the table head without its last pipe, after an empty line', [HEAD, '', DESIGN, '', '| # | kernel call | effect', TABLE[1]!, ...ROWS].join('\n'), "mail.txt: line 5: expected '| # | kernel call | effect |', got '| # | kernel call | effect'"],
    ['cut after the table head', [HEAD, '', DESIGN, '', TABLE[0]!].join('\n'), "mail.txt: line 5: expected '|---:|---|---|', got the end of the text"],
    ['cut after the table rule', [HEAD, '', DESIGN, '', ...TABLE].join('\n'), "mail.txt: line 6: expected '| 1 | `op(args)` | effects |', got the end of the text"],
    ['text instead of the first row', [HEAD, '', DESIGN, '', ...TABLE, 'mmap(mm=0)'].join('\n'), "mail.txt: line 7: expected '| 1 | `op(args)` | effects |', got 'mmap(mm=0)'"],
    ['a row with no effect cell', [HEAD, '', DESIGN, '', ...TABLE, '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` |'].join('\n'), "mail.txt: line 7: expected '| 1 | `op(args)` | effects |', got '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` |'"],
    ['a row with an extra empty cell', [HEAD, '', DESIGN, '', ...TABLE, '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` | x | |'].join('\n'), "mail.txt: line 7: expected '| 1 | `op(args)` | effects |', got '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` | x | |'"],
    ['a row without its last pipe', [HEAD, '', DESIGN, '', ...TABLE, '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` | x | y'].join('\n'), "mail.txt: line 7: expected '| 1 | `op(args)` | effects |', got '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` | x | y'"],
    ['text before the call backquotes', [HEAD, '', DESIGN, '', ...TABLE, '| 1 | x`mmap(mm=0)` |  |'].join('\n'), "mail.txt: line 7: expected the call of step 1 in backquotes, got 'x`mmap(mm=0)`'"],
    ['text after the call backquotes', [HEAD, '', DESIGN, '', ...TABLE, '| 1 | `mmap(mm=0)`x |  |'].join('\n'), "mail.txt: line 7: expected the call of step 1 in backquotes, got '`mmap(mm=0)`x'"],
  ];
  for (const [name, text, line] of cases)
    it(`a report ${name}: ${line.slice(10)}`, () => {
      expect(error(text)).toBe(line);
    });
});
