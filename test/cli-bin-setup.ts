/**
 * Vitest's global setup: build the bin and bundle test/cli-bin.ts names,
 * from the sources of this checkout, before any test file runs. Built into
 * a fresh folder and renamed into place, so that a run stopped half-way
 * never leaves a half-written bundle for the next.
 */
import { cpSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle, CLI_STAGE } from './cli-bin.ts';

export default function setup(): void {
  const next = `${CLI_STAGE}.${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(join(next, 'bin'), { recursive: true });
  cpSync('bin/dmacheck.js', join(next, 'bin/dmacheck.js'));
  buildBundle(join(next, 'dist/dmacheck.mjs'));
  rmSync(CLI_STAGE, { recursive: true, force: true });
  renameSync(next, CLI_STAGE);
}
