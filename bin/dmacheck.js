#!/usr/bin/env node
// Entry point. An installed package runs the compiled bundle (dist/, built by
// `npm pack`: no TypeScript compiler at run time); a checkout of the sources,
// which never keeps dist/, loads the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

// A reader that stops early (`dmacheck check | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const built = new URL('../dist/dmacheck.mjs', import.meta.url);
let main;
if (existsSync(built)) ({ main } = await import(built.href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = main(process.argv.slice(2));
