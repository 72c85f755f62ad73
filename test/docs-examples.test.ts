/**
 * Every example in docs/ is real: each JSON block that is a counterexample
 * file loads and replays as it says, and each text report block (a
 * `dmacheck counterexample ID` heading with its steps) reads back as a
 * pasted report and replays; the Mermaid diagram in docs/citing.md is
 * what `report --format mermaid` draws; and each `$ npx dmacheck replay`
 * block prints what the command prints (the block may stop early).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeCounterexample } from '../properties/counterexample/load.ts';
import { parsePaste } from '../properties/counterexample/paste.ts';
import { pasteDifferences } from '../properties/counterexample/paste-check.ts';
import { replayOwn } from '../properties/counterexample/replay-file.ts';
import { runCli } from './cli-in-process.ts';

const blocks = (file: string): ReadonlyArray<string> => {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
};

const docs = readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

describe('the examples in docs/', () => {
  const files = docs.flatMap((d) => blocks(d).filter((b) => b.trimStart().startsWith('{') && b.includes('"format": "dmacheck-counterexample"')).map((b) => [d, b] as const));
  const reports = docs.flatMap((d) => blocks(d).filter((b) => /^dmacheck counterexample [0-9a-f]{10}/.test(b) && /^ +1\. /m.test(b)).map((b) => [d, b] as const));

  it('there are examples of both kinds', () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeGreaterThanOrEqual(1);
  });

  for (const [doc, block] of files)
    it(`${doc}: the counterexample file it shows loads and replays as it says`, () => {
      const cx = decodeCounterexample(doc, block);
      if (E.isLeft(cx)) throw new Error(cx.left.message);
      expect(replayOwn(cx.right)).toEqual({ ok: true });
    });

  for (const [doc, block] of reports)
    it(`${doc}: the report ${/[0-9a-f]{10}/.exec(block)![0]} reads back and replays with the effects it prints`, () => {
      const [r] = parsePaste(doc, block, '2026-12-07');
      if (r === undefined || E.isLeft(r)) throw new Error(JSON.stringify(r));
      expect(pasteDifferences(r.right)).toEqual([]);
    });
});

describe('the Mermaid diagram in docs/citing.md', () => {
  it('is what report --format mermaid draws for the trace it shows', () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(readFileSync('docs/citing.md', 'utf8'))![1]!;
    const r = runCli('report', 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json', '--format', 'mermaid');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(diagram.trim());
  });
});

describe('the replay commands shown in docs/', () => {
  // Commands on a corpus file (the paste loop's `replay reply.txt` is test/docs-paste.test.ts's).
  const shown = docs.flatMap((d) => blocks(d).filter((b) => b.startsWith('$ npx dmacheck replay counterexamples/')).map((b) => [d, b] as const));

  it('there is at least one, a replay on another design', () => {
    expect(shown.some(([, b]) => b.split('\n')[0]!.includes(' --design '))).toBe(true);
  });

  for (const [doc, block] of shown) {
    const [command, ...lines] = block.trimEnd().split('\n');
    it(`${doc}: ${command}`, () => {
      const r = runCli(...command!.slice('$ npx dmacheck '.length).split(' '));
      const printed = r.stdout.split('\n');
      // Every line the block shows, in order, at the start of what the command prints.
      expect(printed.slice(0, lines.length)).toEqual(lines);
    });
  }
});
