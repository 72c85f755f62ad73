#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx and run the CLI.
import { register } from 'tsx/esm/api';

// A reader that stops early (`dmacheck check | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../cli/main.ts');
process.exitCode = main(process.argv.slice(2));
