/**
 * `explore --workers 2` against one thread, on the same designs and
 * bounds, in alternating runs (this machine's speed drifts 20-40% within
 * an hour, so only paired runs compare). The package's bundle is built
 * once and spawned, so that no run pays for compiling the sources; each
 * run's time includes starting its workers. Fails if the two ever differ
 * in anything but time.
 *
 * Also measured: the same sequential exploration run twice at once in two
 * threads of one process, against once alone. That is the most two
 * workers can gain on this machine for this workload, whatever the
 * explorer does.
 *
 *   npx tsx bench/workers.ts      (part of npm run bench; writes bench/out/workers.json)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildBundle } from '../test/cli-bin.ts';

const dir = join(process.cwd(), 'node_modules/.cache/dmacheck-bench-workers');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const bundle = join(dir, 'dmacheck.mjs');
buildBundle(bundle);
const runner = join(dir, 'run.mjs');
writeFileSync(runner, `import { main } from './dmacheck.mjs';\nprocess.exitCode = main(process.argv.slice(2));\n`);

const cases = [
  { design: 'vma-p2p-map-notifier', maxStates: 150_000 },
  { design: 'gup-dontfork', maxStates: 150_000 },
];
const pairs = 2;

interface Run {
  readonly seconds: number;
  readonly json: Record<string, unknown>;
}

const run = (design: string, maxStates: number, workers: number): Run => {
  const r = spawnSync(process.execPath, [runner, 'explore', '--design', design, '--max-states', String(maxStates), '--workers', String(workers), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status === null || r.status > 1) throw new Error(`explore --workers ${workers} --design ${design}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as Record<string, unknown> & { timing: { seconds: number } };
  const { timing, ...rest } = json;
  return { seconds: timing.seconds, json: rest };
};

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: object[] = [];
console.log(`explore --workers 2 against one thread (${pairs} alternating pairs, median seconds)`);
console.log(`${'design'.padEnd(24)} ${'states'.padStart(8)} ${'1 thread'.padStart(9)} ${'2 workers'.padStart(10)} ${'speed-up'.padStart(9)}`);
for (const c of cases) {
  const one: number[] = [];
  const two: number[] = [];
  let reference: Record<string, unknown> | null = null;
  for (let p = 0; p < pairs; p++) {
    for (const workers of p % 2 === 0 ? [1, 2] : [2, 1]) {
      const r = run(c.design, c.maxStates, workers);
      if (reference === null) reference = r.json;
      else if (JSON.stringify(r.json) !== JSON.stringify(reference)) throw new Error(`${c.design}: --workers ${workers} differs from the first run in more than time`);
      (workers === 1 ? one : two).push(r.seconds);
    }
  }
  const states = (reference as { states: number }).states;
  rows.push({ design: c.design, maxStates: c.maxStates, states, oneThread: one, twoWorkers: two, speedUp: median(one) / median(two) });
  console.log(`${c.design.padEnd(24)} ${String(states).padStart(8)} ${`${median(one).toFixed(1)}s`.padStart(9)} ${`${median(two).toFixed(1)}s`.padStart(10)} ${`${(median(one) / median(two)).toFixed(2)}x`.padStart(9)}`);
}

/** The machine's own ceiling: one sequential exploration alone, then two at once in two threads of one process. */
const together = async (n: number): Promise<number> => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.bundle).then(({ main }) => {
      const t = performance.now();
      main(['explore', '--design', 'vma-p2p-map-notifier', '--max-states', '100000', '--json', '--no-timing']);
      parentPort.postMessage((performance.now() - t) / 1000);
    });`;
  const times = await Promise.all(
    Array.from({ length: n }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { bundle: `file://${bundle}` }, stdout: true });
      w.once('message', (s: number) => resolve(s));
      w.once('error', reject);
    })),
  );
  return Math.max(...times);
};
const alone = await together(1);
const both = await together(2);
console.log(`\nceiling: one sequential exploration alone ${alone.toFixed(1)}s; two at once in two threads ${both.toFixed(1)}s each: two workers can gain at most ${((2 * alone) / both).toFixed(2)}x here`);
rows.push({ ceiling: { alone, twoAtOnce: both, bestSpeedUp: (2 * alone) / both } });

mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/workers.json', JSON.stringify(rows, null, 2));
rmSync(dir, { recursive: true, force: true });
console.log('\nwrote bench/out/workers.json');
