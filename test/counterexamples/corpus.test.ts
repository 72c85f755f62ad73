import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { corpusFiles } from '../../cli/replay.ts';
import { designs } from '../../model/designs/index.ts';
import { invariantIds } from '../../properties/invariant.ts';
import { counterexampleId, serialise } from '../../properties/counterexample/format.ts';
import { decodeCounterexample, loadCounterexample } from '../../properties/counterexample/load.ts';
import { crossReplayLine, replayAcross, replayOwn } from '../../properties/counterexample/replay-file.ts';

const files = corpusFiles('counterexamples');

describe('the committed corpus', () => {
  it('holds at least one counterexample for every expected violation of every design', () => {
    for (const d of designs)
      for (const i of invariantIds.filter((x) => d.expected[x].verdict === 'violated'))
        expect(files.some((f) => f.startsWith(`counterexamples/${d.id}/${i}-`)), `${d.id}/${i}`).toBe(true);
  });

  for (const f of files) {
    it(`${f} loads, is named by its id, and violates exactly its invariant at exactly its step`, () => {
      const cx = loadCounterexample(f);
      if (E.isLeft(cx)) throw new Error(`${cx.left.path}: ${cx.left.message}`);
      expect(f).toBe(`counterexamples/${cx.right.file.design}/${cx.right.file.invariant}-${counterexampleId(cx.right.file.design, cx.right.file.steps, cx.right.file.world)}.json`);
      const r = replayOwn(cx.right);
      if (!r.ok) throw new Error(r.why);
      expect(serialise(cx.right.file)).toBe(readFileSync(f, 'utf8'));
    });
  }
});

describe('a file that no longer reproduces says which step differs and how', () => {
  const cx = loadCounterexample('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json');
  if (E.isLeft(cx)) throw new Error(cx.left.message);
  const base = cx.right;
  it('a violation recorded one step too late is reported with both step numbers', () => {
    const r = replayOwn({ ...base, ops: [...base.ops, { kind: 'munmap', mm: 0, start: 9, npages: 1 }], file: { ...base.file, violatesAt: 5 } });
    expect(r).toEqual({ ok: false, why: 'map-within-vma-lifetime now fails at step 4, the file records step 5' });
  });
  it('a step the model now rejects is named with its reason', () => {
    const r = replayOwn({ ...base, ops: [base.ops[0]!, { kind: 'p2p_map', vma: 7, dev: 1, write: true }, base.ops[2]!, base.ops[3]!] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toBe('step 2 is now rejected (p2p_map: -EFAULT: vma 7 is not mapped); the file records a violation at step 4');
  });
  it('a step after the violation is run too: one the model rejects (a thread that does not exist) is named, one it accepts is fine', () => {
    const ghost = replayOwn({ ...base, ops: [...base.ops, { kind: 'driver_lock', dev: 1, by: 77 }] });
    expect(ghost).toEqual({ ok: false, why: 'step 5, after the violation at step 4, is rejected (driver_lock: ill-formed: no driver thread 77)' });
    expect(replayOwn({ ...base, ops: [...base.ops, { kind: 'device_read', mapping: 2, index: 0 }] })).toEqual({ ok: true });
  });
  it('a trace that no longer violates says so', () => {
    const r = replayOwn({ ...base, ops: base.ops.slice(0, 3), file: { ...base.file, violatesAt: 3 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toContain('all 3 steps are accepted and map-within-vma-lifetime no longer fails');
  });
});

describe('decoding', () => {
  const good = readFileSync('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', 'utf8');
  const edit = (f: (j: Record<string, unknown>) => void): string => {
    const j = JSON.parse(good) as Record<string, unknown>;
    f(j);
    return JSON.stringify(j);
  };
  const errorOf = (text: string): string => {
    const r = decodeCounterexample('x.json', text);
    if (E.isRight(r)) throw new Error('expected a load error');
    return `${r.left.source}: ${r.left.path}: ${r.left.message}`;
  };
  const steps = (j: Record<string, unknown>) => j.steps as { op: string; args: Record<string, unknown> }[];

  it('names the file and the field path of an argument of the wrong type', () => {
    expect(errorOf(edit((j) => void (steps(j)[3]!.args.npages = '1')))).toBe('x.json: steps[3].args.npages: expected a whole number, got "1"');
  });
  it('names a missing field', () => {
    expect(errorOf(edit((j) => void delete j.violatesAt))).toBe('x.json: violatesAt: expected a whole number, got nothing');
  });
  it('rejects text that is not JSON', () => {
    expect(errorOf('{ nope')).toMatch(/^x\.json: : not JSON/);
  });
  it('rejects a version newer than it knows', () => {
    expect(errorOf(edit((j) => void (j.version = 2)))).toBe('x.json: version: 2 is newer than this dmacheck understands (1)');
  });
  it('rejects an unknown design, invariant and operation', () => {
    expect(errorOf(edit((j) => void (j.design = 'mystery')))).toBe("x.json: design: unknown design 'mystery'");
    expect(errorOf(edit((j) => void (j.invariant = 'mystery')))).toBe("x.json: invariant: unknown invariant 'mystery'");
    expect(errorOf(edit((j) => void (steps(j)[1]!.op = 'mystery')))).toBe("x.json: steps[1].op: unknown operation 'mystery'");
  });
  it('rejects an argument the operation does not take, and a bad nested backing', () => {
    expect(errorOf(edit((j) => void (steps(j)[3]!.args.flags = 1)))).toBe('x.json: steps[3].args.flags: unknown argument of munmap');
    expect(errorOf(edit((j) => void (steps(j)[0]!.args.backing = { kind: 'bar' })))).toMatch(/^x\.json: steps\[0\]\.args\.backing: expected a backing/);
  });
  it('rejects a violatesAt outside the steps', () => {
    expect(errorOf(edit((j) => void (j.violatesAt = 9)))).toBe('x.json: violatesAt: must be a step number from 1 to 4, got 9');
  });
  it('reports a file it cannot read', () => {
    const r = loadCounterexample('counterexamples/no-such-file.json');
    expect(E.isLeft(r) && r.left.message).toContain('cannot read (ENOENT)');
  });
});

describe('every corpus trace replays on its own design through --design, every step run, to its recorded violation', () => {
  for (const f of files)
    it(f, () => {
      const cx = loadCounterexample(f);
      if (E.isLeft(cx)) throw new Error(`${cx.left.path}: ${cx.left.message}`);
      const r = replayAcross(cx.right, cx.right.design);
      expect(crossReplayLine(r)).toMatch(new RegExp(`^violates ${cx.right.file.invariant} at step ${cx.right.file.violatesAt}: `));
      expect(r.trace.map((t) => t.op)).toEqual(cx.right.ops.slice(0, cx.right.file.violatesAt));
    });
});
