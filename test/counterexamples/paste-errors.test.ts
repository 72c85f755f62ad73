/**
 * A known report (counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json,
 * as text and as markdown) damaged in one place at a time: the exact error
 * line the paste reader gives, or, where it still reads, the exact
 * differences the check finds between the report and what the model does.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { textReport } from '../../cli/cite/text.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { type Counterexample, loadCounterexample, loadErrorLine } from '../../properties/counterexample/load.ts';
import { parsePaste } from '../../properties/counterexample/paste.ts';
import { pasteDifferences } from '../../properties/counterexample/paste-check.ts';

const cx = (loadCounterexample('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json') as E.Right<Counterexample>).right;
const reports = { text: textReport(citationOf(cx)), md: markdownReport(citationOf(cx)) };

type Outcome = { readonly error: string } | { readonly differences: ReadonlyArray<string> };

/** Report kind, the text replaced (its first occurrence), what replaces it, what reading it back gives. */
const cases: ReadonlyArray<readonly ['text' | 'md', string, string, Outcome]> = [
  ["text", "design:    vma-p2p-map\n", "", {"error":"mail.txt: line 3: expected 'design: ID', got 'invariant: no-dma-after-free (violated at step 5)'"}],
  ["text", "invariant: no-dma-after-free (violated at step 5)\n", "", {"error":"mail.txt: line 4: expected 'invariant: ID (violated at step N)', got 'format:    version 1 (paste into 'npx dmacheck replay -' to ...(67 characters)'"}],
  ["text", "(violated at step 5)", "(violated at 5)", {"error":"mail.txt: line 4: expected 'invariant: ID (violated at step N)', got 'no-dma-after-free (violated at 5)'"}],
  ["text", "format:    version 1", "format:    v1", {"error":"mail.txt: line 5: expected 'format: version N', got 'v1 (paste into 'npx dmacheck replay -' to replay)'"}],
  ["text", "design:    vma-p2p-map\n", "design:    vma-p2p-map\ndesign: x\n", {"error":"mail.txt: line 4: 'design:' given twice"}],
  ["text", "  2. p2p_map", "  3. p2p_map", {"error":"mail.txt: line 8: expected '2. op(args)', got '3. p2p_map(vma=1, dev=1, write=true)'"}],
  ["text", "  1. mmap(mm=0, npages=1, backing=bar(bar=0))\n", "  -> nothing\n", {"error":"mail.txt: line 7: expected '1. op(args)', got '-> nothing'"}],
  ["text", "  2. p2p_map(vma=1, dev=1, write=true)", "  2. p2p_map(vma=1, dev=1, write=true", {"error":"mail.txt: line 8: step 2: expected ',' or ')', got the end"}],
  ["text", "design:    vma-p2p-map", "design:    no-such-design", {"error":"mail.txt: line 3: design: unknown design 'no-such-design'"}],
  ["text", "no-dma-after-free (violated", "no-such-invariant (violated", {"error":"mail.txt: line 4: invariant: unknown invariant 'no-such-invariant'"}],
  ["text", "f522f807c4", "0000000000", {"differences":["the heading says counterexample 0000000000, but these steps are counterexample f522f807c4: a step was changed"]}],
  ["text", "format:    version 1", "format:    version 2", {"error":"mail.txt: line 5: version: 2 is newer than this dmacheck understands (1)"}],
  ["text", "Step 5 violates", "Step 4 violates", {"differences":["the report says step 4 violates no-dma-after-free, its heading says step 5 violates no-dma-after-free"]}],
  ["text", "but that memory was freed", "but that memory was eaten", {"differences":["step 5: the report states the violation as '...was eaten', the model as '...was freed'"]}],
  ["text", "device_write(mapping=2, index=0)", "device_read(mapping=2, index=0)", {"differences":["the heading says counterexample f522f807c4, but these steps are counterexample 09f46d9dae: a step was changed","step 5 says 'device 1 wrote pfn 6', the model did not do that","step 5: the model also did 'device 1 read pfn 6', which the trace does not say","step 5: the report states the violation as '...1 wrote pfn 6 through mapping 2, but tha...', the model as '...1 read pfn 6 through mapping 2, but that...'"]}],
  ["text", "     -> vma 1 destroyed", "     -> vma 9 destroyed", {"differences":["step 4 says 'vma 9 destroyed', the model did not do that","step 4: the model also did 'vma 1 destroyed', which the trace does not say"]}],
  ["text", "  5. device_write(mapping=2, index=0)\n     -> device 1 wrote pfn 6\n", "", {"error":"mail.txt: line 4: violatesAt: must be a step number from 1 to 4, got 5"}],
  ["md", "Design `vma-p2p-map` violates", "Design vma-p2p-map violates", {"error":"mail.txt: line 3: expected 'Design `ID` violates `INVARIANT` at step N.', got 'Design vma-p2p-map violates `no-dma-after-free` at step 5.'"}],
  ["md", "| 2 | `p2p_map", "| 3 | `p2p_map", {"error":"mail.txt: line 10: expected '| 2 | `op(args)` | effects |', got '| 3 | `p2p_map(vma=1, dev=1, write=true)` |  |'"}],
  ["md", "| # | kernel call | effect |", "| # | call |", {"error":"mail.txt: line 7: expected '| # | kernel call | effect |', got '| # | call |'"}],
  ["md", "Trace format version 1", "Trace format version x", {"error":"mail.txt: line 5: expected the table of steps, '| # | kernel call | effect |', got 'Trace format version x: paste this report into `npx dmacheck...(84 characters)'"}],
  ["md", "`mmap(mm=0, npages=1, backing=bar(bar=0))`", "mmap(mm=0, npages=1, backing=bar(bar=0))", {"error":"mail.txt: line 9: expected the call of step 1 in backquotes, got 'mmap(mm=0, npages=1, backing=bar(bar=0))'"}],
  ["md", "**Violation (step 5):**", "**Violation (step 4):**", {"differences":["the report says step 4 violates no-dma-after-free, its heading says step 5 violates no-dma-after-free"]}],
  ["md", "|---:|---|---|\n", "", {"error":"mail.txt: line 8: expected '|---:|---|---|', got '| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` |  |'"}],
  ["md", "| 1 | `mmap(mm=0, npages=1, backing=bar(bar=0))` |  |\n| 2 | `p2p_map(vma=1, dev=1, write=true)` |  |\n| 3 | `device_program(dev=1, mapping=2)` | device 1 programmed with mapping 2 |\n| 4 | `munmap(mm=0, start=0, npages=1)` | vma 1 destroyed |\n| 5 | `device_write(mapping=2, index=0)` | device 1 wrote pfn 6 **<- violates `no-dma-after-free`** |\n", "", {"error":"mail.txt: line 9: expected '| 1 | `op(args)` | effects |', got an empty line"}],
];

describe('a report damaged in one place', () => {
  it('the undamaged reports read back with no difference', () => {
    for (const report of [reports.text, reports.md]) {
      const r = parsePaste('mail.txt', report, '2026-01-01');
      expect(r.map((x) => (E.isLeft(x) ? loadErrorLine(x.left) : pasteDifferences(x.right)))).toEqual([[]]);
    }
  });

  for (const [kind, from, to, outcome] of cases)
    it(`${kind}: ${JSON.stringify(from.slice(0, 40))} -> ${JSON.stringify(to.slice(0, 40))}`, () => {
      expect(reports[kind]).toContain(from);
      const r = parsePaste('mail.txt', reports[kind].replace(from, to), '2026-01-01');
      expect(r).toHaveLength(1);
      const x = r[0]!;
      expect(E.isLeft(x) ? { error: loadErrorLine(x.left) } : { differences: pasteDifferences(x.right) }).toEqual(outcome);
    });
});
