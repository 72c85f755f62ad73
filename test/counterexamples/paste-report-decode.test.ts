/**
 * A pasted text report of the munmap use-after-free (vma-p2p-map,
 * no-dma-after-free at step 5) decoded as its counterexample file: what the
 * file gets when the report leaves a field out, and the one-line error,
 * on the line of the pasted text, when a step names an unknown kernel call
 * or argument, or the text is no report at all.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { serialise } from '../../properties/counterexample/format.ts';
import { loadErrorLine, MAX_FILE_BYTES } from '../../properties/counterexample/load.ts';
import { looksLikeJson, type Pasted, parsePaste } from '../../properties/counterexample/paste.ts';
import { UAF_HEAD, UAF_STEPS } from './uaf-report.ts';

const TEXT = `${UAF_HEAD}format:    version 1\n\n${UAF_STEPS}\n`;

const results = (text: string, date = '2026-01-01'): ReadonlyArray<string | Pasted> =>
  parsePaste('mail.txt', text, date).map((x) => (E.isLeft(x) ? loadErrorLine(x.left) : x.right));
const one = (text: string, date?: string): string | Pasted => {
  const all = results(text, date);
  expect(all).toHaveLength(1);
  return all[0]!;
};
const pasted = (text: string): Pasted => {
  const r = one(text);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

/** The same trace as 11 anonymous mmaps, the last one `last`. */
const elevenMmaps = (last: string): string =>
  TEXT.replace(/\n\n {2}1\.[^]*$/, `\n\n${Array.from({ length: 11 }, (_, i) => `  ${i + 1}. ${i === 10 ? last : 'mmap(mm=0, npages=1, backing=anon)'}`).join('\n')}\n`);

describe('a pasted text report decoded as a counterexample file', () => {
  it('a report without its format line is trace format version 1 and has no title when its heading has none', () => {
    const p = pasted(TEXT.replace('format:    version 1\n', '').replace(': the device writes the BAR window', ''));
    expect(p.counterexample.file.version).toBe(1);
    expect('title' in p.counterexample.file).toBe(false);
    expect(serialise(p.counterexample.file)).not.toContain('"title"');
    expect(p.counterexample.file.found).toStrictEqual({ by: 'a pasted text report', date: '2026-01-01' });
  });

  it('a title of 200 characters is kept whole, a longer one is cut to 200 with "..."', () => {
    const at = (n: number) => pasted(TEXT.replace('the device writes the BAR window', 'w'.repeat(n))).counterexample.file.title;
    expect(at(200)).toBe('w'.repeat(200));
    expect(at(201)).toBe(`${'w'.repeat(197)}...`);
  });

  it('a found: line longer than 200 characters is cut to the 200 a file allows', () => {
    const p = pasted(TEXT.replace('format:', `found:     ${'b'.repeat(250)}\nformat:`));
    expect(p.counterexample.file.found.by).toBe('b'.repeat(200));
  });

  it('a read date longer than 40 characters is refused on the heading line, not the format line', () => {
    expect(one(TEXT, 'd'.repeat(41))).toBe(`mail.txt: line 1: found.date: expected a string of at most 40 characters, got "${'d'.repeat(39)}...(43 characters)`);
  });

  const errors: ReadonlyArray<readonly [string, string, string]> = [
    ['an unknown kernel call', TEXT.replace('1. mmap(', '1. mmapp('), "mail.txt: line 6: step 1, op: unknown operation 'mmapp'"],
    ['an unknown argument of p2p_map', TEXT.replace('write=true)', 'write=true, foo=1)'), 'mail.txt: line 7: step 2, foo: unknown argument of p2p_map'],
    ['a p2p_map write flag that is a number', TEXT.replace('write=true)', 'write=7)'), 'mail.txt: line 7: step 2, write: expected true or false, got 7'],
    ['a device_program by a thread that is no number', TEXT.replace('mapping=2)', 'mapping=2, by=x)'), 'mail.txt: line 8: step 3, by: expected a thread id (a whole number), got "x"'],
    ['an unknown kernel call at step 11', elevenMmaps('mmapp(mm=0, npages=1, backing=anon)'), "mail.txt: line 16: step 11, op: unknown operation 'mmapp'"],
    ['an unknown argument of mmap at step 11', elevenMmaps('mmap(mm=0, npages=1, backing=anon, x=1)'), 'mail.txt: line 16: step 11, x: unknown argument of mmap'],
    ['no report at all', '', "mail.txt: line 1: expected a report, 'dmacheck counterexample ID' (text) or '### dmacheck counterexample `ID`' (markdown), or a JSON counterexample; got the end of the text"],
    ['a greeting after empty lines', '\n\n  hello\nthere', "mail.txt: line 3: expected a report, 'dmacheck counterexample ID' (text) or '### dmacheck counterexample `ID`' (markdown), or a JSON counterexample; got 'hello'"],
    ['one character over the limit', 'x'.repeat(MAX_FILE_BYTES + 1), 'mail.txt: 1048577 characters is over the limit of 1048576 for a pasted trace'],
  ];
  for (const [name, text, line] of errors)
    it(`${name}: ${line.slice(10, 90)}`, () => {
      expect(one(text)).toBe(line);
    });

  it('text of exactly the limit is read (and is no report)', () => {
    expect(one(`${'x'.repeat(MAX_FILE_BYTES - 1)}\n`)).toMatch(/^mail\.txt: line 1: expected a report, .* got 'x{60}\.\.\.\(1048575 characters\)'$/);
  });

  it('a report cut after its fields does not take the steps of the next report in the mail', () => {
    const cut = TEXT.replace(/\n\n {2}1\.[^]*$/, '\n\n');
    expect(results(`${cut}${TEXT}`).map((r) => (typeof r === 'string' ? r : r.report.line))).toStrictEqual([
      "mail.txt: line 5: expected '1. op(args)', got the end of the text",
      6,
    ]);
  });

  it('looksLikeJson: a JSON counterexample starts with {, after blanks and a byte order mark', () => {
    expect(['{', ' \n\t{"format"', '\ufeff {', 'dmacheck {', ' x{', ''].map(looksLikeJson)).toStrictEqual([true, true, true, false, false, false]);
  });
});
