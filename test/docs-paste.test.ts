/**
 * docs/citing.md's loop (find, paste into a reply, replay from the reply,
 * save to the corpus) is real: its reply is written to a file, and every
 * `$ command` shown after it is run by a shell and prints what the page says.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from './scratch.ts';
import { cliBin } from './cli-bin.ts';

const section = (): string => {
  const page = readFileSync('docs/citing.md', 'utf8');
  const start = page.indexOf('## From a reply back to a replay');
  return page.slice(start, page.indexOf('\n## ', start + 1));
};

describe('the paste loop in docs/citing.md', () => {
  it('the reply it shows replays, and every command it shows prints what the page says', () => {
    const text = section();
    const reply = /```text\n([\s\S]*?)```/.exec(text)![1]!;
    const dir = scratch('dmacheck-docs-paste-');
    writeFileSync(join(dir, 'reply.txt'), reply);
    const blocks = [...text.matchAll(/```\n(\$ [\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    let commands = 0;
    for (const block of blocks)
      for (const run of block.split(/^(?=\$ )/m)) {
        const [command, ...shown] = run.trimEnd().split('\n');
        const line = command!.slice(2).replace(/npx dmacheck/g, `node ${cliBin}`);
        const r = spawnSync('bash', ['-c', `${line} 2>&1`], { cwd: dir, encoding: 'utf8' });
        expect(r.stdout.trimEnd(), command).toBe(shown.join('\n'));
        commands++;
      }
    expect(commands).toBe(6);
  });

  it('the report quoted in its reply is what the check command it shows prints', () => {
    const text = section();
    const find = /```sh\n(npm run check -- [^\n]*)\n```/.exec(text)![1]!.replace(/^npm run check --/, '');
    const r = spawnSync('bash', ['-c', `node ${cliBin} check ${find}`], { encoding: 'utf8' });
    const reply = /```text\n([\s\S]*?)```/.exec(text)![1]!;
    const quoted = reply.slice(reply.indexOf('> dmacheck counterexample')).split('\n').filter((l) => l.startsWith('>')).map((l) => l.replace(/^> ?/, ''));
    expect(r.stdout).toContain(quoted.join('\n'));
  });
});
