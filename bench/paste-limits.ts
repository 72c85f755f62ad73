/**
 * Hostile inputs at the documented limits, timed (never in a unit test):
 * a pasted markdown report with an effect cell of nearly 1 MiB of blanks,
 * a text report whose first call has 100,000 arguments, and the HTML page
 * of a trace of huge states (written as its changes, refused past 32 MiB). Each must read in well under a second (the page: a few) on
 * this machine; before the fixes of 2026-12-07 the first two took 103 s
 * (400,000 blanks) and 37 s. Exits 1 past 5 s.
 *
 *   npx tsx bench/paste-limits.ts      (part of npm run bench)
 */
import * as E from 'fp-ts/lib/Either.js';
import { markdownReport } from '../cli/cite/markdown.ts';
import { textReport } from '../cli/cite/text.ts';
import { citationOf } from '../properties/counterexample/cite.ts';
import { decodeCounterexample, loadCounterexample, MAX_FILE_BYTES } from '../properties/counterexample/load.ts';
import { htmlReportWithin } from '../cli/cite/html.ts';
import { parsePaste } from '../properties/counterexample/paste.ts';
import { hostileCall, hostileMarkdown } from '../test/counterexamples/hostile-reports.ts';

const cx = loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
if (E.isLeft(cx)) throw new Error(cx.left.message);
const c = citationOf(cx.right);

const cases: ReadonlyArray<readonly [string, string]> = [
  ['markdown effect cell of ~1 MiB blanks', hostileMarkdown(markdownReport(c), MAX_FILE_BYTES - 1000)],
  ['text call with 100,000 arguments', hostileCall(textReport(c), 100_000)],
];
let slow = false;
console.log('pasted reports at the size limit (parsePaste):');
for (const [name, text] of cases) {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = parsePaste('mail.txt', text, '2026-12-07');
  const s = (performance.now() - t0) / 1000;
  const mb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  slow ||= s > 5;
  console.log(`  ${name.padEnd(40)} ${(text.length / 2 ** 20).toFixed(2)} MiB  ${s.toFixed(3)} s  +${mb.toFixed(0)} MB RSS  ${r.every(E.isRight) ? 'read' : 'refused (one line)'}`);
}

// The HTML page of a 35 KB file within every limit of the format: a 1024-page mapping forked 999 times.
// It took over 120 s and 4.3 GB before the page had a limit; with every step's whole state in it, it was
// then refused at 32 MiB. The page now carries only each step's changes: about 6 MB, written.
const steps = [{ op: 'mmap', args: { mm: 0, npages: 1024, backing: { kind: 'anon' } } }, ...Array.from({ length: 999 }, () => ({ op: 'fork', args: { mm: 0 } }))];
const huge = decodeCounterexample('huge.json', JSON.stringify({ format: 'dmacheck-counterexample', version: 1, design: 'pin-user-pages', invariant: 'pin-coherent', violatesAt: steps.length, steps, found: { by: 'a probe', date: '2026-12-07' } }));
if (E.isLeft(huge)) throw new Error(huge.left.message);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const page = htmlReportWithin(huge.right, citationOf(huge.right));
const s = (performance.now() - t0) / 1000;
slow ||= s > 5;
console.log(`report --format html, 1024 pages forked 999 times:   ${s.toFixed(3)} s  +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MB RSS  ${E.isLeft(page) ? 'refused (one line)' : 'written'}`);
process.exitCode = slow ? 1 : 0;
