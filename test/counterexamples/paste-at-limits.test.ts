/**
 * Pasted reports at the size limit read in linear time: a markdown effect
 * cell of nearly 1 MiB of blanks (a regex that backtracked over them took
 * 103 s at 400,000) and a call with 100,000 arguments (37 s when each word
 * sliced off the rest of the call). No timing here: before the fixes these
 * ran past the test timeout; `npm run bench` measures them.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { textReport } from '../../cli/cite/text.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { MAX_FILE_BYTES, loadCounterexample } from '../../properties/counterexample/load.ts';
import { parsePaste } from '../../properties/counterexample/paste.ts';
import { MAX_NESTED_ARGS, parseCall } from '../../properties/counterexample/call.ts';
import { hostileMarkdown, hostileCall } from './hostile-reports.ts';

const cx = (() => {
  const r = loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
})();

describe('pasted reports at the size limit', () => {
  it('a markdown effect cell padded with blanks to just under 1 MiB reads back as the same trace', () => {
    const text = hostileMarkdown(markdownReport(citationOf(cx)), MAX_FILE_BYTES - 1000);
    expect(text.length).toBeGreaterThan(MAX_FILE_BYTES - 1100);
    const [r] = parsePaste('mail.txt', text, '2026-12-07');
    if (r === undefined || E.isLeft(r)) throw new Error(JSON.stringify(r));
    expect(r.right.counterexample.file.steps).toEqual(cx.file.steps);
  });

  it('a nested value with thousands of arguments is refused at once (each multiplied the readings to try)', () => {
    const call = `mmap(mm=0, npages=1, backing=file(inode=0${Array.from({ length: 50_000 }, (_, i) => `, a${i}=0`).join('')}))`;
    expect(parseCall(call)).toEqual(E.left(`a nested value with more than ${MAX_NESTED_ARGS} arguments`));
    expect(E.isRight(parseCall('mmap(mm=0, npages=1, backing=file(inode=0))'))).toBe(true);
  });

  it('a markdown row broken over thousands of lines by a client is joined in one pass', () => {
    const report = markdownReport(citationOf(cx));
    const lines = report.split('\n');
    const i = lines.findIndex((l) => l.startsWith('| 3 |'));
    // The effect cell's words each on a line of their own, 30,000 of them (well under 1 MiB).
    lines.splice(i, 1, ...lines[i]!.replace(/ \|$/, '').split(' '), ...Array.from({ length: 30_000 }, () => 'x'), '|');
    const [r] = parsePaste('mail.txt', lines.join('\n'), '2026-12-07');
    if (r === undefined || E.isLeft(r)) throw new Error(JSON.stringify(r));
    expect(r.right.counterexample.file.steps).toEqual(cx.file.steps);
  });

  it('a call with 100,000 arguments is one error naming the first unknown one', () => {
    const text = hostileCall(textReport(citationOf(cx)), 100_000);
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const [r] = parsePaste('mail.txt', text, '2026-12-07');
    expect(r !== undefined && E.isLeft(r) && r.left.message).toBe('step 1, x0: unknown argument of mmap');
  });
});
