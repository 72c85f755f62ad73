import { readdirSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { mermaidReport } from '../../cli/cite/mermaid.ts';
import { textReport, WIDTH } from '../../cli/cite/text.ts';
import { wrapCommand } from '../../cli/cite/shell.ts';
import { corpusFiles } from '../../cli/replay.ts';
import { designById } from '../../model/designs/index.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { type Counterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { replayAcross } from '../../properties/counterexample/replay-file.ts';

const load = (f: string): Counterexample => {
  const r = loadCounterexample(f);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('the text report', () => {
  for (const f of corpusFiles('counterexamples')) {
    it(`${f}: plain ASCII, no line over 72 columns, names design, invariant, id and the replay command`, () => {
      const cx = load(f);
      const c = citationOf(cx);
      const text = textReport(c);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(WIDTH);
      expect(text).toMatch(/^[\x20-\x7e\n]*$/);
      expect(text).toContain(`dmacheck counterexample ${c.id}`);
      expect(text).toContain(`design:    ${cx.file.design}`);
      expect(text).toContain(`invariant: ${cx.invariant} (violated at step ${cx.file.violatesAt})`);
      // The reader of a mail replays the report itself; the sender's file is named for the sender.
      expect(text).toContain("Replay:\n  npx dmacheck replay -\n  (this report on standard input), or with the sender's file:\n");
      expect(text.replace(/\\\n\s*/g, '')).toContain(`npx dmacheck replay ${f}`);
      expect(c.violation).not.toBeNull();
    });
  }
  it('breaks a word longer than a line so that a shell joins it again, every line within 72 columns', () => {
    const command = ['npx', 'dmacheck', 'replay', `counterexamples/${'x'.repeat(150)}.json`, '--design', 'vma-p2p-map'];
    const lines = wrapCommand(command, WIDTH, '  ', '    ');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(WIDTH);
    // What a shell does: drop each backslash-newline, then split words on blanks.
    const words = lines.join('\n').replace(/\\\n/g, '').trim().split(/\s+/);
    expect(words).toEqual(command);
  });
  it('shows what a step did next to it', () => {
    const text = textReport(citationOf(load('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json')));
    expect(text).toContain('  4. munmap(mm=0, start=0, npages=1)\n     -> vma 1 destroyed');
  });
});

describe('the markdown and mermaid reports', () => {
  const cx = load('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
  const c = citationOf(cx);
  it('markdown has a table of steps with the violating one marked', () => {
    const md = markdownReport(c);
    expect(md).toContain('| # | kernel call | effect |');
    expect(md).toMatch(/\| 5 \| `device_write\(mapping=2, index=0\)` \| device 1 wrote pfn 6 \*\*<- violates `no-dma-after-free`\*\* \|/);
  });
  it('mermaid is a sequence diagram between the actors, the device writing the exporter\'s BAR, the violation marked', () => {
    const mm = mermaidReport(cx, c);
    expect(mm.startsWith('sequenceDiagram\n')).toBe(true);
    for (const a of ['process / mm', 'exporting driver (BAR)', 'importing driver', 'device', 'CPU']) expect(mm).toContain(a);
    expect(mm).toContain('D->>X: 5. device_write(mapping=2, index=0)');
    expect(mm).toContain('rect rgb(255, 220, 220)');
    expect(mm).toContain('VIOLATES no-dma-after-free');
  });
});

describe('cross-design replay', () => {
  it('the vma-p2p-map munmap counterexample holds on the notifier design: munmap only starts the invalidation, the importer\'s callback stops the device and unmaps, then the VMA goes', () => {
    const r = replayAcross(load('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json'), designById('vma-p2p-map-notifier')!);
    expect(r.kind).toBe('holds');
    const from = r.trace.findIndex((t) => t.op.kind === 'munmap');
    expect(r.trace[from]!.events.map((e) => e.kind)).toEqual(['invalidate-range-start', 'callback-invoked']);
    expect(r.trace.slice(from + 1).map((t) => t.op.kind)).toEqual([
      'driver_lock',
      'mmu_interval_set_seq',
      'device_stop_dma',
      'p2p_unmap',
      'driver_forget',
      'driver_unlock',
      'invalidate_callback_return',
      'mmu_notifier_invalidate_range_end',
    ]);
    expect(r.trace.at(-1)!.events.map((e) => e.kind)).toEqual(['vma-destroyed', 'invalidate-range-end']);
  });
  it('the munmap-then-write counterexample: the device write is rejected because the callback stopped the device and the mapping is gone', () => {
    const r = replayAcross(load('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json'), designById('vma-p2p-map-notifier')!);
    expect(r.kind === 'rejected' && [r.at, r.reason]).toEqual([5, 'device_write: ill-formed: mapping 4 is not live: the device has no address from it']);
  });
  it('the nostop traces are made of its own callback\'s steps, which vma-p2p-map has none of', () => {
    for (const f of readdirSync('counterexamples/vma-p2p-map-notifier-nostop')) {
      const cx = load(`counterexamples/vma-p2p-map-notifier-nostop/${f}`);
      const callback = cx.ops.filter((o) => o.by !== undefined && ['mmu_interval_set_seq', 'invalidate_callback_return'].includes(o.kind));
      expect(callback.length).toBeGreaterThanOrEqual(2);
      // The record-only callback never stops the device or unmaps.
      expect(cx.ops.some((o) => o.by !== undefined && (o.kind === 'device_stop_dma' || o.kind === 'p2p_unmap'))).toBe(false);
      const across = replayAcross(cx, designById('vma-p2p-map')!);
      expect(across.trace.some((t) => t.op.by !== undefined)).toBe(false);
    }
    for (const f of readdirSync('counterexamples/vma-p2p-map')) expect(load(`counterexamples/vma-p2p-map/${f}`).ops.some((o) => o.by !== undefined)).toBe(false);
  });
  it('the legacy fork counterexample on pin_user_pages holds: the recorded write fault replays as a store, which no longer faults, because early COW kept the pinned page with the parent', () => {
    const r = replayAcross(load('counterexamples/gup-set-page-dirty/pin-coherent-ae11110e1b.json'), designById('pin-user-pages')!);
    expect(r.kind).toBe('holds');
    const store = r.trace.find((t) => t.op.kind === 'store')!;
    expect(store.op).toEqual({ kind: 'store', mm: 0, addr: 0 });
    // A plain store to the pinned page: no fault, no copy.
    expect(store.events).toEqual([{ kind: 'cpu-access', pfn: 0, via: 'store', io: false }]);
    expect(r.trace.at(-1)!.events).toContainEqual(expect.objectContaining({ kind: 'device-access', pfn: 0, write: true }));
  });
  it('the pin counterexample of 5.9 replayed on the legacy design still violates, at the same step', () => {
    const r = replayAcross(load('counterexamples/pin-user-pages-5.9/correct-dirtying-7cb01b8c20.json'), designById('gup-set-page-dirty')!);
    expect(r.kind === 'violates' && [r.at, r.violation.invariant]).toEqual([8, 'correct-dirtying']);
  });
});
