/**
 * Run the CLI's `main` in this process and capture what it prints, as a
 * spawned `node bin/dmacheck.js` would see it. A spawn costs a Node start
 * and a TypeScript load (about a second under load); most CLI tests only
 * need the arguments, output and exit status. Tests of the binary itself
 * (standard input, the working folder, concurrent processes, crashes) still
 * spawn it.
 */
import { format } from 'node:util';
import { main } from '../cli/main.ts';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Write = typeof process.stdout.write;

export const runCli = (...args: string[]): CliRun => {
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
    const status = main(args);
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
