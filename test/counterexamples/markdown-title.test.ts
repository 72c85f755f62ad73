/**
 * A title is text in a markdown report, never markup: raw HTML, a link (a
 * `javascript:` one), an entity or a cell break in it are escaped, and the
 * pasted report reads the title back as it was.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { markdownReport, titleText } from '../../cli/cite/markdown.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { parsePaste } from '../../properties/counterexample/paste.ts';

const cx = (() => {
  const r = loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
})();

describe('a title in a markdown report', () => {
  const hostile = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) &amp; a|b \\ done';

  it('is escaped: no tag, no link, no entity, no cell break survives as markup', () => {
    expect(titleText(hostile)).toBe('\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(1)) \\&amp; a\\|b \\\\ done');
    const heading = markdownReport({ ...citationOf(cx), title: hostile }).split('\n')[0]!;
    expect(heading).not.toMatch(/(^|[^\\])[<[&|]/);
  });

  it('reads back from the pasted report as it was written', () => {
    const report = markdownReport({ ...citationOf(cx), title: hostile });
    const [pasted] = parsePaste('mail.txt', report, '2026-12-07');
    if (pasted === undefined || E.isLeft(pasted)) throw new Error(JSON.stringify(pasted));
    expect(pasted.right.counterexample.file.title).toBe(hostile);
  });
});
