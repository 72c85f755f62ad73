/**
 * Run a CLI `main` in this process and capture what it prints, as a
 * spawned `node bin/dmacheck.js` would see it (test/cli-in-process.ts runs
 * the sources' `main` so; the check-defaults files the bundle's).
 */
import { format } from 'node:util';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Write = typeof process.stdout.write;

/** Run `cliMain` (the sources' `main`, or the check-defaults bundle's) with its output captured. */
export const captureCli = (cliMain: (args: string[]) => number) => (...args: string[]): CliRun => {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, info: console.info, error: console.error, warn: console.warn, stdout: process.stdout.write, stderr: process.stderr.write };
  const to = (sink: string[]) => (...a: unknown[]) => void sink.push(`${format(...a)}\n`);
  const writeTo = (sink: string[]): Write => ((chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as Write;
  console.log = to(out);
  console.info = to(out);
  console.error = to(err);
  console.warn = to(err);
  process.stdout.write = writeTo(out);
  process.stderr.write = writeTo(err);
  try {
    const status = cliMain(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = saved.log;
    console.info = saved.info;
    console.error = saved.error;
    console.warn = saved.warn;
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
};
