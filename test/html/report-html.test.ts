import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, embedJson, htmlReport } from '../../cli/cite/html.ts';
import { viewerScript } from '../../cli/cite/html-script.ts';
import { decodeStatesScript } from '../../cli/cite/html-decode.ts';
import { diffSnapshot, encodeSteps, type Item, type SectionChanges, type Snapshot, viewOf } from '../../cli/cite/html-states.ts';
import { corpusFiles } from '../../cli/replay.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { type Counterexample, decodeCounterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { cliBin } from '../cli-bin.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInputs } from '../../cli/inputs.ts';
import { mermaidReport } from '../../cli/cite/mermaid.ts';
import { markdownReport } from '../../cli/cite/markdown.ts';
import { scratch } from '../scratch.ts';

const load = (f: string): Counterexample => {
  const r = loadCounterexample(f);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const item = (items: ReadonlyArray<Item> | undefined, key: string): Item | undefined => items?.find((x) => x.key === key);

describe('the HTML report is self-contained', () => {
  for (const f of corpusFiles('counterexamples')) {
    it(`${f}: no external script, stylesheet, image or link; a policy that forbids every fetch`, () => {
      const cx = load(f);
      const html = htmlReport(cx, citationOf(cx));
      expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
      expect(html).not.toMatch(/\b(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
      expect(html).not.toMatch(/@import|url\(/i);
      // Only the page's own script and style, by hash; no base URL, no form target.
      expect(html).toContain(`content="${contentSecurityPolicy}"`);
      expect(contentSecurityPolicy).toMatch(/^default-src 'none'; base-uri 'none'; form-action 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'sha256-[A-Za-z0-9+/]+=*'$/);
      expect(contentSecurityPolicy).not.toContain('unsafe-inline');
      // Exactly the three inline scripts: the data, the file it was made from (JSON, never run), and the viewer.
      expect(html.match(/<script\b/g)).toHaveLength(3);
      expect(html.match(/<\/script>/g)).toHaveLength(3);
      expect(html.match(/<script type="application\/json"/g)).toHaveLength(2);
    });
  }

  it('the viewer script cannot end its element early and carries no template syntax', () => {
    expect(viewerScript).not.toMatch(/<\/script/i);
    expect(viewerScript).not.toContain('`');
    expect(viewerScript).not.toContain('${');
  });

  it('text from the file is escaped: a title cannot open an element or end the data', () => {
    const text = JSON.stringify({
      format: 'dmacheck-counterexample',
      version: 1,
      design: 'vma-p2p-map',
      invariant: 'map-within-vma-lifetime',
      title: '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "quoted"',
      violatesAt: 3,
      steps: [
        { op: 'mmap', args: { mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } } },
        { op: 'p2p_map', args: { vma: 1, dev: 1, write: true } },
        { op: 'munmap', args: { mm: 0, start: 0, npages: 1 } },
      ],
      found: { by: 'hand', date: '2026-01-01' },
    });
    const cx = decodeCounterexample('nasty.json', text);
    if (E.isLeft(cx)) throw new Error(cx.left.message);
    const html = htmlReport(cx.right, citationOf(cx.right));
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    expect(embedJson({ t: '</script>&' })).toBe('{"t":"\\u003c/script\\u003e\\u0026"}');
    expect(JSON.parse(embedJson({ t: '</script>&\u2028' }))).toEqual({ t: '</script>&\u2028' });
  });
});

describe('the states the page draws come from replaying the file with the model', () => {
  const cx = load('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
  const d = viewOf(cx, citationOf(cx));

  it('one view per step plus the initial state, the violation only at its step', () => {
    expect(d.steps.map((s) => s.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(d.steps.map((s) => s.violation !== null)).toEqual([false, false, false, false, false, true]);
    expect(d.steps[5]!.violation).toContain('device 1 wrote pfn 6 through mapping 2');
    expect(d.steps.every((s) => s.state !== null && s.rejected === null)).toBe(true);
  });

  it('marks what each step created, changed and removed, and nothing else', () => {
    const [s0, s1, s2, s3, s4] = d.steps.map((s) => s.state!);
    expect(Object.values(s0!).flat().every((x) => x.mark === 'same')).toBe(true);
    expect(item(s1!.vmas, '1')?.mark).toBe('new');
    expect(item(s1!.frames, '6')).toMatchObject({ mark: 'changed' });
    expect(item(s1!.frames, '6')!.fields).toContain('free');
    expect(item(s2!.mappings, '2')?.mark).toBe('new');
    // device_program: the device's page table gets the mapping's addresses.
    expect(s3!.deviceRanges!.map((x) => x.mark)).toEqual(['new']);
    // munmap: the VMA goes, its window goes back to the exporter, the mapping and the device's entry stay.
    expect(item(s4!.vmas, '1')?.mark).toBe('removed');
    expect(item(s4!.frames, '6')).toMatchObject({ mark: 'changed', fields: ['free'] });
    expect(item(s4!.mappings, '2')?.mark).toBe('same');
    const marked = Object.entries(s4!).flatMap(([k, xs]) => xs.filter((x) => x.mark !== 'same').map((x) => `${k} ${x.key}`));
    expect(marked.sort()).toEqual(['frames 6', 'vmas 1']);
  });

  it('a state field the viewer does not know becomes a section of its own', () => {
    const before = { widgets: [{ key: '0', value: { id: 0, on: false } }] };
    const after = { widgets: [{ key: '0', value: { id: 0, on: true } }, { key: '1', value: { id: 1, on: false } }], gadget: [{ key: '', value: 7 }] };
    const snap = diffSnapshot(before, after);
    expect(snap.widgets!.map((x) => [x.key, x.mark, x.fields])).toEqual([['0', 'changed', ['on']], ['1', 'new', []]]);
    expect(snap.gadget).toEqual([{ key: '', value: 7, mark: 'new', fields: [] }]);
  });

  it('a step the model now refuses is shown as refused, and the steps after it as not reached', () => {
    const bad = { ...cx, ops: [cx.ops[0]!, { kind: 'munmap' as const, mm: 0, start: 0, npages: 0 }, ...cx.ops.slice(2)] };
    const v = viewOf(bad, citationOf(bad));
    expect(v.steps[2]!.rejected).toMatch(/^munmap: /);
    expect(v.steps.slice(2).every((s) => s.state === null)).toBe(true);
    expect(v.steps[3]!.rejected).toBeNull();
  });
});

describe("the page carries the first state and each step's changes, and rebuilds every step's snapshot", () => {
  const decodeStates = new Function(`${decodeStatesScript}; return decodeStates;`)() as (steps: unknown) => ReadonlyArray<{ readonly state: unknown }>;
  /** What the page's data holds, read back as the browser reads it. */
  const embedded = (html: string): { readonly steps: ReadonlyArray<{ readonly changes: Readonly<Record<string, SectionChanges>> | null }> } =>
    JSON.parse(html.slice(html.indexOf('id="dmacheck-data">') + 19, html.indexOf('</script>', html.indexOf('id="dmacheck-data">')))) as never;

  for (const f of corpusFiles('counterexamples')) {
    it(`${f}: the page's decoder gives back the snapshot of every step`, () => {
      const cx = load(f);
      const d = viewOf(cx, citationOf(cx));
      const page = embedded(htmlReport(cx, citationOf(cx)));
      expect(decodeStates(page.steps).map((s) => s.state)).toEqual(d.steps.map((s) => s.state));
    });
  }

  it('a step carries only what it changed: munmap of one VMA, the frame it gave back', () => {
    const cx = load('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
    const page = embedded(htmlReport(cx, citationOf(cx)));
    const munmap = page.steps[4]!.changes!;
    expect(Object.keys(munmap).sort()).toEqual(['frames', 'vmas']);
    expect(munmap.vmas).toEqual({ put: [], removed: ['1'] });
    expect(munmap.frames!.put.map((x) => [x.key, x.mark, x.fields])).toEqual([['6', 'changed', ['free']]]);
  });

  it('a new item that does not go last is placed by the order the step gives; a section that goes is dropped after it', () => {
    const at = (keys: ReadonlyArray<string>, mark: Item['mark'] = 'same'): ReadonlyArray<Item> => keys.map((key) => ({ key, value: key, mark, fields: [] }));
    const s0: Snapshot = { a: at(['1', '3']), b: at(['x']) };
    const s1: Snapshot = { a: [...at(['1']), ...at(['2'], 'new'), ...at(['3'])] };
    const s1Marked: Snapshot = { ...s1, b: at(['x'], 'removed') };
    const s2: Snapshot = { a: at(['1', '2', '3']) };
    const steps = [s0, s1Marked, s2].map((state, n) => ({ n, call: '', effects: [], violation: null, rejected: null, lane: null, state }));
    const enc = encodeSteps(steps);
    expect(enc[1]!.changes!.a).toEqual({ put: at(['2'], 'new'), removed: [], order: ['1', '2', '3'] });
    expect([enc[0]!.sections, enc[1]!.sections, enc[2]!.sections]).toEqual([['a', 'b'], undefined, ['a']]);
    expect(decodeStates(JSON.parse(JSON.stringify(enc))).map((s) => s.state)).toEqual([s0, s1Marked, s2]);
  });
});

describe('a saved HTML page or Mermaid diagram replays as the text reports do', () => {
  for (const f of corpusFiles('counterexamples').slice(0, 4)) {
    it(`${f}: the page read back is the file it was made from`, () => {
      const cx = load(f);
      const page = join(scratch('dmacheck-html-replay-'), 'page.html');
      writeFileSync(page, htmlReport(cx, citationOf(cx)));
      const [read] = readInputs(page);
      expect(read !== undefined && E.isRight(read) && read.right.counterexample.file).toEqual(cx.file);
    });
  }

  it('so does a saved Mermaid diagram, from its last comment line; without that line it is refused in one line', () => {
    const cx = load('counterexamples/vma-p2p-map-notifier-noretry/notifier-protocol-e8e2bd20d0.json');
    const diagram = mermaidReport(cx, citationOf(cx));
    const dir = scratch('dmacheck-mermaid-replay-');
    writeFileSync(join(dir, 'd.mmd'), diagram);
    writeFileSync(join(dir, 'bare.mmd'), diagram.split('\n').filter((l) => !l.startsWith('%%')).join('\n'));
    const [read] = readInputs(join(dir, 'd.mmd'));
    expect(read !== undefined && E.isRight(read) && read.right.counterexample.file).toEqual(cx.file);
    const [bare] = readInputs(join(dir, 'bare.mmd'));
    expect(bare !== undefined && E.isLeft(bare) && bare.left.message).toBe("a Mermaid diagram without a dmacheck counterexample in it (no '%% dmacheck-counterexample:' line; report --format mermaid writes one)");
    // The diagram embedded in a markdown report leaves that line out: the table replays there.
    expect(markdownReport(citationOf(cx), diagram)).not.toContain('%% dmacheck-counterexample');
  });

  it('a page without the file in it, or with it cut off, is refused in one line', () => {
    const cx = load('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
    const html = htmlReport(cx, citationOf(cx));
    const dir = scratch('dmacheck-html-replay-');
    writeFileSync(join(dir, 'bare.html'), html.replace('id="dmacheck-counterexample"', 'id="x"'));
    writeFileSync(join(dir, 'cut.html'), html.slice(0, html.indexOf('id="dmacheck-counterexample"') + 60));
    const message = (name: string) => {
      const [r] = readInputs(join(dir, name));
      return r !== undefined && E.isLeft(r) ? r.left.message : null;
    };
    expect(message('bare.html')).toBe('an HTML page without a dmacheck counterexample in it (no element id="dmacheck-counterexample"; report --format html writes one)');
    expect(message('cut.html')).toBe('the element id="dmacheck-counterexample" is not closed');
  });
});

describe('dmacheck report --format html', () => {
  it('prints the page on stdout and exits 0; an unknown format names html among the choices', () => {
    const f = 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json';
    const r = spawnSync(process.execPath, [cliBin, 'report', f, '--format', 'html'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(r.stdout).toContain('<title>dmacheck counterexample b4b20ca633: munmap destroys the VMA under a live p2p_map mapping</title>');
    expect(r.stdout.match(/<button type="button" data-step=/g)).toHaveLength(5);
    const bad = spawnSync(process.execPath, [cliBin, 'report', f, '--format', 'htm'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('text, markdown, mermaid, json, html');
  });
});
