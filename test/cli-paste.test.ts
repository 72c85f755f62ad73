import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-in-process.ts';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';

const bin = cliBin;
/** In this process unless the call needs standard input or another working folder. */
const dmacheck = (args: ReadonlyArray<string>, input?: string, cwd = process.cwd()) => {
  if (input === undefined && cwd === process.cwd()) return runCli(...args);
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** A reply as a mail client writes it: the sender's line, the quoted text (CRLF), a signature. */
const reply = (text: string, depth = 1): string =>
  ['Hi,', '', 'On Tue, Bob wrote:', ...text.split('\n').map((l) => `${'> '.repeat(depth)}${l}`.trimEnd()), '', 'Looks real to me.', '-- ', 'Alice'].join('\r\n');

const dirtying = 'counterexamples/gup-set-page-dirty/correct-dirtying-fbd1aac087.json';

describe('dmacheck replay of a pasted report', () => {
  it('replays a text and a markdown report quoted in a reply, one ok line each, naming the line of the heading', () => {
    const dir = scratch('dmacheck-paste-');
    const text = dmacheck(['report', dirtying]).stdout;
    const md = dmacheck(['report', dirtying, '--format', 'markdown']).stdout;
    writeFileSync(join(dir, 'mail.txt'), reply(text, 2));
    writeFileSync(join(dir, 'review.md'), reply(md));
    const r = dmacheck(['replay', join(dir, 'mail.txt'), join(dir, 'review.md')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `ok    ${join(dir, 'mail.txt')}:4: gup-set-page-dirty violates correct-dirtying at step 8\nok    ${join(dir, 'review.md')}:4: gup-set-page-dirty violates correct-dirtying at step 8\n`,
    );
    expect(r.status).toBe(0);
  });

  it('replays every trace that check printed, read from standard input', () => {
    const check = dmacheck(['check', '--design', 'vma-p2p-map', '--runs', '300']);
    const r = dmacheck(['replay', '-'], reply(check.stdout));
    expect(r.stdout).toMatch(
      /^ok {4}stdin:[0-9]+: vma-p2p-map violates map-within-vma-lifetime at step [0-9]+\nok {4}stdin:[0-9]+: vma-p2p-map violates no-dma-after-free at step [0-9]+\nok {4}stdin:[0-9]+: vma-p2p-map violates provider-removal at step [0-9]+\n$/,
    );
    expect(r.status).toBe(0);
  });

  it('replays the shortest traces that explore printed', () => {
    const explore = dmacheck(['explore', '--design', 'vma-p2p-map', '--max-states', '3000']);
    const r = dmacheck(['replay', '-'], explore.stdout);
    expect(r.stdout.trim().split('\n').map((l) => l.replace(/stdin:[0-9]+/, 'stdin'))).toEqual([
      'ok    stdin: vma-p2p-map violates map-within-vma-lifetime at step 4',
      'ok    stdin: vma-p2p-map violates no-dma-after-free at step 5',
      'ok    stdin: vma-p2p-map violates provider-removal at step 4',
    ]);
    expect(r.status).toBe(0);
  });

  it('names an effect line the model does not produce, and exits 1', () => {
    const text = dmacheck(['report', dirtying]).stdout.replace('  5. writeback(page=0)\n', '  5. writeback(page=0)\n     -> buffers of page 0 released\n');
    const r = dmacheck(['replay', '-'], reply(text));
    expect(r.stdout).toBe("FAIL  stdin:4: step 5 says 'buffers of page 0 released', the model did not do that\n");
    expect(r.status).toBe(1);
  });

  it('names a changed step by the id that no longer matches, and the effects that no longer happen', () => {
    const text = dmacheck(['report', 'counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json']).stdout.replace('munmap(mm=0, start=0, npages=1)', 'fork(mm=0)');
    const r = dmacheck(['replay', '-'], text);
    expect(r.stdout.split('\n')[0]).toBe('FAIL  stdin:1: all 4 steps are accepted and map-within-vma-lifetime no longer fails (the file records step 4)');
    expect(r.stdout).toContain('the heading says counterexample b4b20ca633, but these steps are counterexample');
    expect(r.stdout).toContain("step 4 says 'vma 1 destroyed', the model did not do that");
    expect(r.status).toBe(1);
  });

  it('a line that is not what the report needs there is one error line with its number in the pasted text, exit 2', () => {
    const text = dmacheck(['report', dirtying]).stdout.replace('  3. sg_alloc_table_from_pages(pages=2)', '  3) sg_alloc_table_from_pages(pages=2)');
    const r = dmacheck(['replay', '-'], reply(text));
    // The broken line reads as more of step 2's effect line, so the first line that cannot be what it says is step 4's.
    expect(r.stderr).toBe("dmacheck: stdin: line 14: expected '3. op(args)', got '4. dma_map_sg(dev=1, sgl=3, dir=from-device)'\n");
    const missing = dmacheck(['replay', '-'], 'dmacheck counterexample fbd1aac087\ninvariant: correct-dirtying (violated at step 1)\n\n  1. writeback(page=0)\n');
    expect(missing.stderr).toBe("dmacheck: stdin: line 2: expected 'design: ID', got 'invariant: correct-dirtying (violated at step 1)'\n");
    const skipped = dmacheck(['replay', '-'], 'dmacheck counterexample fbd1aac087\ndesign: gup-set-page-dirty\ninvariant: correct-dirtying (violated at step 2)\n\n  1. writeback(page=0)\n  3. reclaim(page=0)\n');
    expect(skipped.stderr).toBe("dmacheck: stdin: line 6: expected '2. op(args)', got '3. reclaim(page=0)'\n");
    const arg = dmacheck(['replay', '-'], 'dmacheck counterexample fbd1aac087\ndesign: gup-set-page-dirty\ninvariant: correct-dirtying (violated at step 1)\n\n  1. writeback(page=zero)\n');
    expect(arg.stderr).toBe('dmacheck: stdin: line 5: step 1, page: expected a whole number, got "zero"\n');
    for (const x of [r, missing, skipped, arg]) expect(x.status).toBe(2);
  });
});

describe('dmacheck save of a pasted report', () => {
  it('writes what check printed into counterexamples/<design>/ under the ids check --save gives, once however often it is saved', () => {
    const pasted = scratch('dmacheck-paste-save-');
    const searched = scratch('dmacheck-check-save-');
    const check = dmacheck(['check', '--design', 'vma-p2p-map', '--runs', '300', '--save'], undefined, searched);
    const mail = reply(check.stdout.split('\nsaved ')[0]!);
    const first = dmacheck(['save', '-'], mail, pasted);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const files = readdirSync(join(pasted, 'counterexamples/vma-p2p-map')).sort();
    expect(files).toEqual(readdirSync(join(searched, 'counterexamples/vma-p2p-map')).sort());
    expect(first.stdout).toBe(files.map((f) => `saved counterexamples/vma-p2p-map/${f}\n`).join(''));
    for (const f of files) {
      const a = JSON.parse(readFileSync(join(pasted, 'counterexamples/vma-p2p-map', f), 'utf8')) as Record<string, unknown>;
      const b = JSON.parse(readFileSync(join(searched, 'counterexamples/vma-p2p-map', f), 'utf8')) as Record<string, unknown>;
      expect([a.design, a.invariant, a.violatesAt, a.steps]).toEqual([b.design, b.invariant, b.violatesAt, b.steps]);
    }
    const again = dmacheck(['save', '-'], mail, pasted);
    expect(again.stdout).toBe(files.map((f) => `already saved counterexamples/vma-p2p-map/${f}\n`).join(''));
    expect(readdirSync(join(pasted, 'counterexamples/vma-p2p-map')).sort()).toEqual(files);
    expect(dmacheck(['replay'], undefined, pasted).status).toBe(0);
  });

  it('writes nothing when a pasted trace does not reproduce (exit 1) or cannot be read (exit 2)', () => {
    const dir = scratch('dmacheck-paste-refuse-');
    const good = dmacheck(['report', dirtying]).stdout;
    const edited = good.replace('-> page 0 dirtied\n\nStep 8', '-> page 1 dirtied\n\nStep 8');
    const refused = dmacheck(['save', '-'], `${good}\n${edited}`, dir);
    expect(refused.stderr).toBe("dmacheck: not saved: stdin:34: step 8 says 'page 1 dirtied', the model did not do that\n");
    expect(refused.status).toBe(1);
    const broken = dmacheck(['save', '-'], `${good}\n${good.replace('(page=0)', '(page=)')}`, dir);
    expect(broken.stderr).toMatch(/^dmacheck: stdin: line [0-9]+: step 5: expected a value, got '\)'\n$/);
    expect(broken.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
