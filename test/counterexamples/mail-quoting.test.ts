/**
 * A dmacheck report as it comes back from a mail thread about a
 * pin_user_pages or munmap bug: quoted at any depth, with tabs, no-break
 * spaces, trailing blanks and CRLF line ends, a heading without a title
 * whose title was wrapped onto the next line.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { mailLines } from '../../properties/counterexample/mail.ts';
import { parseTextReport } from '../../properties/counterexample/paste-text.ts';

describe('lines of a quoted mail about a munmap use-after-free', () => {
  it('quote markers go, tabs and no-break spaces become blanks, trailing blanks go, leading ones stay', () => {
    expect(mailLines('> >\tdesign:\tvma-p2p-map \u00a0\r\n>>   1. mmap(mm=0,\u00a0npages=1)\t\rplain')).toStrictEqual([
      { n: 1, text: 'design: vma-p2p-map' },
      { n: 2, text: '  1. mmap(mm=0, npages=1)' },
      { n: 3, text: 'plain' },
    ]);
  });

  it('a title wrapped onto the line after a bare heading is read without a leading blank', () => {
    const r = parseTextReport(
      mailLines('> dmacheck counterexample f522f807c4\n> the device writes the BAR\n> design: vma-p2p-map\n> invariant: no-dma-after-free (violated at step 1)\n>\n>   1. munmap(mm=0, start=0, npages=1)\n'),
    );
    expect(E.isRight(r) && r.right.title).toBe('the device writes the BAR');
  });
});
