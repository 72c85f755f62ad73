/**
 * Hostile inputs at the documented limits, timed (never in a unit test):
 * a pasted markdown report with an effect cell of nearly 1 MiB of blanks,
 * a text report whose first call has 100,000 arguments, and the HTML page
 * of the longest saved trace. Each must read in well under a second on
 * this machine; before the fixes of 2026-12-07 the first two took 103 s
 * (400,000 blanks) and 37 s. Exits 1 past 5 s.
 *
 *   npx tsx bench/paste-limits.ts      (part of npm run bench)
 */
import * as E from 'fp-ts/lib/Either.js';
import { markdownReport } from '../cli/cite/markdown.ts';
import { textReport } from '../cli/cite/text.ts';
import { citationOf } from '../properties/counterexample/cite.ts';
import { loadCounterexample, MAX_FILE_BYTES } from '../properties/counterexample/load.ts';
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
process.exitCode = slow ? 1 : 0;
