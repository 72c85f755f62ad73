/**
 * The text report of the munmap use-after-free (vma-p2p-map,
 * no-dma-after-free at step 5) as a mail client may leave it: re-wrapped
 * anywhere, its trailing newline lost, cut after its fields. Each case
 * gives the exact claims read back or the exact one-line error.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { mailLines } from '../../properties/counterexample/mail.ts';
import { parseTextReport } from '../../properties/counterexample/paste-text.ts';
import type { PastedReport } from '../../properties/counterexample/pasted.ts';
import { UAF_HEAD, UAF_STEPS, UAF_VIOLATION } from './uaf-report.ts';

const HEAD = UAF_HEAD;
const STEPS = UAF_STEPS;
const VIOLATION = UAF_VIOLATION;

const read = (text: string) => parseTextReport(mailLines(text));
const report = (text: string): PastedReport => {
  const r = read(text);
  if (E.isLeft(r)) throw new Error(`line ${r.left.line}: ${r.left.message}`);
  return r.right;
};

describe('a pasted text report of the munmap use-after-free', () => {
  it('a mail that lost the trailing newline after the last step (device_write) still reads all five steps', () => {
    const r = report(`${HEAD}\n${STEPS}`);
    expect(r.steps.map((s) => [s.line, s.effects])).toStrictEqual([
      [5, ''],
      [6, ''],
      [7, 'device 1 programmed with mapping 2'],
      [9, 'vma 1 destroyed'],
      [11, 'device 1 wrote pfn 6'],
    ]);
    expect(r.violation).toBeUndefined();
  });

  it('the violation sentence at the very end of the mail is read', () => {
    expect(report(`${HEAD}\n${STEPS}\n\n${VIOLATION}`).violation).toStrictEqual({
      line: 14,
      at: 5,
      invariant: 'no-dma-after-free',
      message: 'device 1 wrote pfn 6 through mapping 2, but that memory was freed',
    });
  });

  it('the violation sentence stops at a Replay: line that follows it without an empty line', () => {
    expect(report(`${HEAD}\n${STEPS}\n\n${VIOLATION}\nReplay:\n  npx dmacheck replay x.json\n`).violation?.message).toBe('device 1 wrote pfn 6 through mapping 2, but that memory was freed');
  });

  it('a dot inside the violation sentence is kept, only the final one goes', () => {
    expect(report(`${HEAD}\n${STEPS}\n\nStep 5 violates no-dma-after-free: pfn 6.0 freed.\n`).violation?.message).toBe('pfn 6.0 freed');
  });

  it('a p2p_map call and the design name re-wrapped by a mail client are joined without a blank', () => {
    const r = report(`${HEAD.replace('vma-p2p-map', 'vma-p2p-\nmap')}\n${STEPS.replace('vma=1, dev=1,', 'vma=1, dev=\n1,')}\n`);
    expect(r.design).toStrictEqual({ line: 2, value: 'vma-p2p-map' });
    expect(r.steps[1]).toStrictEqual({ line: 7, call: 'p2p_map(vma=1, dev=1, write=true)', effects: '' });
  });

  it('a step number whose mmap call was moved to the next line reads the call from there', () => {
    const r = report(`${HEAD}\n${STEPS.replace('  1. mmap', '  1.\nmmap')}\n`);
    expect(r.steps[0]).toStrictEqual({ line: 5, call: 'mmap(mm=0, npages=1, backing=bar(bar=0))', effects: '' });
  });

  it('a report cut right after its invariant line expects step 1 at the end of the text', () => {
    expect(read(HEAD.trimEnd())).toStrictEqual(E.left({ line: 3, message: "expected '1. op(args)', got the end of the text" }));
  });
  it('a munmap step with two effect lines keeps both, joined with "; "', () => {
    const r = report(`${HEAD}\n${STEPS.replace('     -> vma 1 destroyed', '     -> vma 1 destroyed\n     -> mm 0 has no vma')}\n`);
    expect(r.steps[3]).toStrictEqual({ line: 9, call: 'munmap(mm=0, start=0, npages=1)', effects: 'vma 1 destroyed; mm 0 has no vma' });
  });
});
