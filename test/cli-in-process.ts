/**
 * Run the CLI's `main` in this process and capture what it prints, as a
 * spawned `node bin/dmacheck.js` would see it. A spawn costs a Node start
 * and a TypeScript load (about a second under load); most CLI tests only
 * need the arguments, output and exit status. Tests of the binary itself
 * (standard input, the working folder, concurrent processes, crashes) still
 * spawn it.
 */
import { main } from '../cli/main.ts';
import { captureCli } from './capture-cli.ts';

export type { CliRun } from './capture-cli.ts';

export const runCli = captureCli(main);
