/**
 * What the check of a pasted report of the munmap use-after-free
 * (vma-p2p-map, no-dma-after-free at step 5) says when a reader edited an
 * effect line or the violation sentence: one exact line per difference,
 * and none for a re-wrap.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { textReport } from '../../cli/cite/text.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { type Counterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { parsePaste } from '../../properties/counterexample/paste.ts';
import { pasteDifferences } from '../../properties/counterexample/paste-check.ts';
import { UAF_TEXT } from './uaf-report.ts';

const TEXT = UAF_TEXT;

const MARKDOWN = `### dmacheck counterexample \`f522f807c4\`

Design \`vma-p2p-map\` violates \`no-dma-after-free\` at step 5.

| # | kernel call | effect |
|---:|---|---|
| 1 | \`mmap(mm=0, npages=1, backing=bar(bar=0))\` |  |
| 2 | \`p2p_map(vma=1, dev=1, write=true)\` |  |
| 3 | \`device_program(dev=1, mapping=2)\` | device 1 programmed with mapping 2 |
| 4 | \`munmap(mm=0, start=0, npages=1)\` | vma 1 destroyed |
| 5 | \`device_write(mapping=2, index=0)\` | device 1 wrote pfn 6 |
`;

const differences = (text: string): ReadonlyArray<string> => {
  const [r] = parsePaste('mail.txt', text, '2026-01-01');
  if (r === undefined || E.isLeft(r)) throw new Error('not read');
  return pasteDifferences(r.right);
};

describe('differences between a pasted munmap use-after-free report and the model', () => {
  it('the report as printed has none, and neither has the markdown one', () => {
    expect(differences(TEXT)).toStrictEqual([]);
    expect(differences(MARKDOWN)).toStrictEqual([]);
  });

  it('a device_write effect re-wrapped inside a word is no difference', () => {
    expect(differences(TEXT.replace('wrote pfn 6\n', 'wrote p\nfn 6\n'))).toStrictEqual([]);
  });

  it('an invented effect after the munmap is named alone, not the vma 1 destroyed the model did', () => {
    expect(differences(TEXT.replace('vma 1 destroyed', 'vma 1 destroyed; vma 9 destroyed'))).toStrictEqual(["step 4 says 'vma 9 destroyed', the model did not do that"]);
  });

  it('a munmap effect said twice is shown whole against the model', () => {
    expect(differences(TEXT.replace('vma 1 destroyed', 'vma 1 destroyed; vma 1 destroyed'))).toStrictEqual(["step 4 says 'vma 1 destroyed; vma 1 destroyed', the model did 'vma 1 destroyed'"]);
  });

  it('a markdown effect cell with doubled blanks is quoted with single ones', () => {
    expect(differences(MARKDOWN.replace('vma 1 destroyed', 'vma 9   destroyed'))).toStrictEqual([
      "step 4 says 'vma 9 destroyed', the model did not do that",
      "step 4: the model also did 'vma 1 destroyed', which the trace does not say",
    ]);
  });

  it('a violation sentence naming pin-coherent at the right step is caught', () => {
    expect(differences(TEXT.replace('violates no-dma-after-free:', 'violates pin-coherent:'))).toStrictEqual([
      'the report says step 5 violates pin-coherent, its heading says step 5 violates no-dma-after-free',
    ]);
  });

  it('a report claiming the violation at the munmap (step 4) is not compared with the model\'s violation at step 5', () => {
    const at4 = TEXT.replace('(violated at step 5)', '(violated at step 4)').replace(/Step 5 violates no-dma-after-free: [^]*freed\./, 'Step 4 violates no-dma-after-free: vma 1 destroyed.');
    expect(differences(at4)).toStrictEqual([]);
  });

  it('a report whose device_program the model rejects (no p2p_map before it) has no violation to compare', () => {
    const rejected = TEXT.replace('  2. p2p_map(vma=1, dev=1, write=true)\n', '')
      .replace('  3. device_program', '  2. device_program')
      .replace('  4. munmap', '  3. munmap')
      .replace('  5. device_write', '  4. device_write')
      .replace('(violated at step 5)', '(violated at step 2)')
      .replace(/Step 5 violates no-dma-after-free: [^]*freed\./, 'Step 2 violates no-dma-after-free: device 1 wrote pfn 6.');
    expect(differences(rejected)).toStrictEqual(['the heading says counterexample f522f807c4, but these steps are counterexample fcff48cc98: a step was changed']);
  });

  describe('a munmap whose two effects (invalidate_range_start, the notifier thread) were edited', () => {
    const cx = (loadCounterexample('counterexamples/vma-p2p-map-notifier-hmm-literal/map-within-vma-lifetime-755e654b5b.json') as E.Right<Counterexample>).right;
    const report = textReport(citationOf(cx));
    const both = "invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5;\n        notifier 2's invalidate runs as thread 6";

    it('the two effects run together without their "; " are one effect the model did not do', () => {
      expect(report).toContain(both);
      expect(differences(report.replace(both, "invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5\n        notifier 2's invalidate runs as thread 6"))).toStrictEqual([
        "step 10 says 'invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5 notifier 2's invalid...(100 characters)', the model did not do that",
      ]);
    });

    it('the first effect said twice is shown against both effects of the model', () => {
      expect(differences(report.replace(both, `${both};\n        invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5`))).toStrictEqual([
        "step 10 says 'invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5; notifier 2's invali...(162 characters)', the model did 'invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 5; notifier 2's invali...(101 characters)'",
      ]);
    });
  });

  const sentences: ReadonlyArray<readonly [string, string, string]> = [
    ['one letter changed at the end of a word', 'memory wax freed', "step 5: the report states the violation as '...memory wax freed', the model as '...memory was freed'"],
    ['a word changed after its first letters', 'memory was frozen', "step 5: the report states the violation as '...was frozen', the model as '...was freed'"],
    ['the device number changed in the first words', 'device 2 wrote pfn 6 through mapping\n2, but that memory was freed', "step 5: the report states the violation as 'device 2 wrote pfn 6 through mapping 2, ...', the model as 'device 1 wrote pfn 6 through mapping 2, ...'"],
    ['the device number changed in a sentence of exactly 40 characters', 'device 2 wrote pfn 6 through mapping 2,x', "step 5: the report states the violation as 'device 2 wrote pfn 6 through mapping 2,x', the model as 'device 1 wrote pfn 6 through mapping 2, ...'"],
  ];
  for (const [name, to, line] of sentences)
    it(`the violation sentence with ${name}`, () => {
      const edited = to.startsWith('device') ? TEXT.replace(/device 1 wrote pfn 6 through mapping\n2, but that memory was freed/, to) : TEXT.replace('memory was freed', to);
      expect(differences(edited)).toStrictEqual([line]);
    });
});
