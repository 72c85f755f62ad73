/**
 * Vitest's global setup: build the bin and bundle test/cli-bin.ts names,
 * and the check-defaults bundle (test/check-kit.ts), from the sources of this checkout, before any test file runs, into a
 * folder of this run's own, and remove it when the run ends. Vitest calls
 * the setup once per project as well as for the root: the first call
 * builds, the others find DMACHECK_TEST_STAGE set. Stage folders of runs
 * that are gone (killed before their teardown) are removed first.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle, buildCheckKit, CLI_STAGES } from './cli-bin.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export default async function setup(): Promise<() => void> {
  const known = process.env.DMACHECK_TEST_STAGE;
  if (known !== undefined && existsSync(join(known, 'dist/dmacheck.mjs'))) return () => {};
  mkdirSync(CLI_STAGES, { recursive: true });
  for (const old of readdirSync(CLI_STAGES)) if (/^[0-9]+$/.test(old) && !alive(Number(old))) rmSync(join(CLI_STAGES, old), { recursive: true, force: true });
  const stage = join(CLI_STAGES, String(process.pid));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  cpSync('bin/dmacheck.js', join(stage, 'bin/dmacheck.js'));
  buildBundle(join(stage, 'dist/dmacheck.mjs'));
  await buildCheckKit(join(stage, 'dist/check-kit.mjs'));
  process.env.DMACHECK_TEST_STAGE = stage;
  return () => {
    rmSync(stage, { recursive: true, force: true });
    delete process.env.DMACHECK_TEST_STAGE;
  };
}
