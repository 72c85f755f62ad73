/**
 * Reports show the interleaving by thread: which steps each driver thread
 * (a map path, an invalidate callback) made, what started it and what code
 * it runs, computed by running the trace. Text and markdown list the
 * lanes after the violation; Mermaid draws one participant per thread.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { mermaidReport } from '../../cli/cite/mermaid.ts';
import { textReport } from '../../cli/cite/text.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { loadCounterexample } from '../../properties/counterexample/load.ts';
import { stepRuns, threadsOf } from '../../properties/counterexample/threads.ts';
import { causesOf } from '../../properties/counterexample/causes.ts';
import { htmlReport } from '../../cli/cite/html.ts';

const load = (f: string) => {
  const cx = loadCounterexample(f);
  if (E.isLeft(cx)) throw new Error(cx.left.message);
  return cx.right;
};

const MIRROR = 'counterexamples/hmm-mirror-skip-harmless/mirror-coherent-dab3b2374b.json';
const GUP = 'counterexamples/gup-set-page-dirty/correct-dirtying-fbd1aac087.json';

describe('thread lanes', () => {
  it('stepRuns writes consecutive steps as ranges', () => {
    expect(stepRuns([4, 5, 6, 8, 10, 11])).toBe('4-6, 8, 10-11');
    expect(stepRuns([3])).toBe('3');
    expect(stepRuns([])).toBe('');
  });

  it("the mirror's map path and the callback migration started, each with the steps it made", () => {
    const cx = load(MIRROR);
    expect(threadsOf(cx.design, cx.ops)).toEqual([
      { id: 3, recipe: 'hmm-mirror-fault', what: 'the map path of notifier 2 (a device write fault)', started: 3, steps: [4, 5, 6, 7, 8, 9, 10, 11, 12] },
      { id: 6, recipe: 'mirror-invalidate-skip-harmless', what: "notifier 2's invalidate callback in invalidation 5 (MMU_NOTIFY_CLEAR)", started: 13, steps: [14, 15, 16, 17] },
    ]);
  });

  it('the text and markdown reports list the lanes after the violation, within 72 columns in text', () => {
    const c = citationOf(load(MIRROR));
    const text = textReport(c);
    expect(text).toContain('Threads (the steps each driver thread made;');
    expect(text).toMatch(/thread 6: mirror-invalidate-skip-harmless, notifier 2's invalidate\n\s+callback in invalidation 5 \(MMU_NOTIFY_CLEAR\), started at step 13;\n\s+steps 14-17\./);
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(72);
    expect(text.indexOf('Threads')).toBeGreaterThan(text.indexOf('violates mirror-coherent'));
    expect(markdownReport(c)).toContain("- thread 3: `hmm-mirror-fault`, the map path of notifier 2 (a device write fault), started at step 3; steps 4-12.");
  });

  it('Mermaid draws each thread as a participant and its calls from there', () => {
    const cx = load(MIRROR);
    const m = mermaidReport(cx, citationOf(cx));
    expect(m).toContain('  participant T3 as thread 3: hmm-mirror-fault');
    expect(m).toContain('  T6->>');
    expect(m).toMatch(/ {2}T3->>K: 7\. hmm_range_fault\(/);
  });

  it('a trace without driver threads has no lanes section', () => {
    const c = citationOf(load(GUP));
    expect(c.threads).toEqual([]);
    expect(textReport(c)).not.toContain('Threads');
    expect(textReport(c)).not.toContain('Interleaving');
  });

  it('the text report draws the interleaving as lanes: a row a step, a column a thread, the causes and the violation marked', () => {
    const text = textReport(citationOf(load(MIRROR)));
    const chart = text.slice(text.indexOf(' step env'), text.indexOf('\nReplay:')).trimEnd().split('\n');
    expect(chart[0]).toBe(' step env T3  T6');
    // The map path started by driver_map_range, running alone; migrate_page starts the callback while the map path is done.
    expect(chart[3]).toBe('    3 *   +       driver_map_range');
    expect(chart[7]).toBe('    7     *       hmm_range_fault <- cause');
    expect(chart[13]).toBe('   13 *       +   migrate_page');
    expect(chart[14]).toBe('   14         *   driver_lock');
    expect(chart.at(-1)).toBe('   19 *           device_svm_access <- violates');
    expect(chart).toHaveLength(20);
  });

  it('a thread waiting between its steps keeps its lane drawn while another runs', () => {
    const text = textReport(citationOf(load('counterexamples/vma-p2p-map-notifier-noretry/notifier-protocol-e8e2bd20d0.json')));
    expect(text).toContain('    9 *   |   +   pci_stop_and_remove_bus_device\n   10     |   *   driver_lock\n');
    expect(text).toContain('   14     *   |   driver_record\n   15     |   *   invalidate_callback_return\n');
  });

  it('too many threads for the width: one line says so instead of a chart that wraps', () => {
    const c = citationOf(load(MIRROR));
    const many = Array.from({ length: 16 }, (_, i) => ({ ...c.threads[0]!, id: 100 + i }));
    const text = textReport({ ...c, threads: many });
    expect(text).toContain("  (16 threads: too many for 72 columns; the list above gives each one's\n  steps)\n");
    expect(text).not.toContain(' step env');
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(72);
  });

  it("markdown carries the sequence diagram report gives it, and still replays from the table", () => {
    const cx = load(MIRROR);
    const c = citationOf(cx);
    const md = markdownReport(c, mermaidReport(cx, c));
    expect(md).toContain('```mermaid\nsequenceDiagram\n');
    expect(md).toContain('  participant T6 as thread 6: mirror-invalidate-skip-harmless');
    expect(md.indexOf('```mermaid')).toBeGreaterThan(md.indexOf('Threads ('));
    expect(markdownReport(c)).not.toContain('```mermaid');
  });
});

describe('causes: the earlier steps a violation needs, from what the model did', () => {
  it('a mirror read of a moved page: the fault that returned the pfn, the programming, the PTE change', () => {
    const cx = load(MIRROR);
    expect(causesOf(cx.design, cx.ops, 'mirror-coherent', 19)).toEqual([
      { step: 7, why: 'hmm_range_fault returns pfn 0' },
      { step: 11, why: "device 1's page table gets pfn 0 for page 0 of mm 0" },
      { step: 18, why: 'the CPU page table at page 0 of mm 0 changes (0w -> 1w)' },
    ]);
  });

  it('a map path without read_retry: its read section, and the invalidation that overtook it', () => {
    const cx = load('counterexamples/hmm-mirror-noretry/notifier-protocol-b85752c63d.json');
    expect(causesOf(cx.design, cx.ops, 'notifier-protocol', cx.file.violatesAt)).toEqual([
      { step: 5, why: "thread 3's read section of notifier 2 begins" },
      { step: 11, why: "an invalidation sets notifier 2's seq: the read section is overtaken" },
    ]);
  });

  it('every report format names them: text and markdown after the violation, HTML on the steps', () => {
    const cx = load(MIRROR);
    const c = citationOf(cx);
    expect(textReport(c)).toContain('Because of (earlier steps the violation needs):\n  step 7: hmm_range_fault returns pfn 0.\n');
    expect(markdownReport(c)).toContain('- step 18: the CPU page table at page 0 of mm 0 changes (0w -> 1w).');
    const html = htmlReport(cx, c);
    expect(html).toContain('<p id="causes">Because of: step 7 (hmm_range_fault returns pfn 0);');
    expect(html.match(/class="cause[" ]/g)).toHaveLength(3);
  });

  it('a report with no causes has no such section', () => {
    const c = citationOf(load(GUP));
    expect(c.causes.length).toBeGreaterThan(0);
    expect(textReport(c)).toContain('Because of');
    expect(textReport({ ...c, causes: [] })).not.toContain('Because of');
  });
});

describe('causes of the other invariants, from what the model did', () => {
  const causes = (f: string) => citationOf(load(f)).causes;

  it('no-dma-after-free through a mapping: the mapping, the programming, and the free of its frame', () => {
    expect(causes('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json')).toEqual([
      { step: 2, why: 'mapping 2 is made, for pfn 6' },
      { step: 3, why: 'device 1 is programmed with mapping 2' },
      { step: 4, why: 'pfn 6 is freed' },
    ]);
  });

  it("provider-removal: the mapping of the provider's BAR, then the removal's start", () => {
    expect(causes('counterexamples/vma-p2p-map/provider-removal-5b699de9b5.json')).toEqual([
      { step: 2, why: "mapping 2 (p2p_map) is made with an address of the provider's BAR" },
      { step: 4, why: 'the removal of provider device 0 starts' },
    ]);
  });

  it('no-cpu-iomem: the allocation of the BAR page, the GUP call that handed it out, and the step that put it in the table', () => {
    expect(causes('counterexamples/foll-pci-p2pdma-integrity/no-cpu-iomem-780062c9d2.json')).toEqual([
      { step: 1, why: 'pfn 6, a page of BAR 0, is allocated (mmap)' },
      { step: 2, why: 'pin_user_pages hands out pfn 6 as pages 2 (page 0 of mm 0)' },
      { step: 3, why: 'sgl 3 gets pfn 6 in an entry (sg_alloc_table_from_pages)' },
    ]);
    expect(causes('counterexamples/p2pdma-page-sgl/no-cpu-iomem-c96f953784.json')).toEqual([
      { step: 1, why: 'pfn 6, a page of BAR 0, is allocated (pci_alloc_p2pmem)' },
      { step: 3, why: 'sgl 1 gets pfn 6 in an entry (sg_set_page)' },
    ]);
  });

  it('correct-dirtying: the writeback that cleaned the page and the reclaim that released its buffers; a device write where there is one', () => {
    expect(causes(GUP)).toEqual([
      { step: 5, why: 'pfn 0 is written back and marked clean (writeback)' },
      { step: 6, why: "the filesystem's buffers of pfn 0 are released (reclaim)" },
    ]);
    expect(causes('counterexamples/hmm-mirror-skip-harmless/correct-dirtying-7c2cdd3bc7.json')).toEqual([
      { step: 18, why: 'pfn 0 is written back and marked clean (mmu_notifier_invalidate_range_end)' },
      { step: 19, why: 'a device writes pfn 0' },
    ]);
  });

  it('pin-coherent: the GUP call that took the page, the fork, and the change of the page table away from it', () => {
    expect(causes('counterexamples/gup-set-page-dirty/pin-coherent-ae11110e1b.json')).toEqual([
      { step: 2, why: 'get_user_pages takes pfn 0 at page 0 of mm 0' },
      { step: 5, why: 'mm 0 forks' },
      { step: 6, why: "mm 0's page table at page 0 changes (0r -> 1w, write_fault)" },
    ]);
  });

  it('isolation: the GUP call behind the mapping written, and the step after which two processes map the page (a deferred fork too)', () => {
    expect(causes('counterexamples/gup-set-page-dirty/isolation-eaafaca5bd.json')).toEqual([
      { step: 2, why: 'get_user_pages hands out pfn 0 as pages 2' },
      { step: 5, why: 'pfn 0 becomes shared copy-on-write between processes (fork)' },
    ]);
    expect(causes('counterexamples/hmm-mirror-noretry/isolation-fbf3db7004.json')).toEqual([
      { step: 17, why: 'pfn 0 becomes shared copy-on-write between processes (mmu_notifier_invalidate_range_end)' },
    ]);
  });

  it('gup-release: the pin_user_pages call whose pins put_page gave back', () => {
    expect(causes('counterexamples/dma-api-misuse/gup-release-96619cc2fe.json')).toEqual([{ step: 2, why: 'pin_user_pages pins pages 2 (FOLL_PIN)' }]);
  });

  it('dma-api-hygiene: the map call of the mapping judged, and its unmap when the call comes after it', () => {
    expect(causes('counterexamples/dma-api-misuse/dma-api-hygiene-cc477a0d7b.json')).toEqual([
      { step: 4, why: 'mapping 4 is made (dma_map_sg)' },
      { step: 5, why: 'mapping 4 is torn down' },
    ]);
  });
});
