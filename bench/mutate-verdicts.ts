/**
 * The verdict-level mutation score (`npm run mutate:verdicts`): for each
 * mutant of properties/mutants/catalogue.ts, run `check`'s search at its
 * default budget (seed 2019, 10000 runs of 80 steps, each design's own
 * budget where it asks for more) with the model broken as the mutant says,
 * design by design, until a verdict differs from what its design expects.
 * A mutant check does not flip is given to `explore` at its default bound
 * (10000 states) on the mutant's own designs. Prints one line per mutant
 * and a markdown table (docs/verdict-mutants.md is that table).
 *
 *   npm run mutate:verdicts [-- --mutant ID]... [--jobs N] [--own] [--write FILE]
 *
 * --own searches only the designs each mutant names (fast, for a first
 * look); the score is measured over every design. Each mutant runs in a
 * process of its own (two at a time by default): a mutant cannot leak into
 * the next one.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { defaults } from '../cli/args.ts';
import { exploreOne } from '../cli/explore.ts';
import { withVariant } from '../model/variant.ts';
import { invariantIds } from '../properties/invariant.ts';
import { catalogue, type Mutant } from '../properties/mutants/catalogue.ts';
import { runMutant, type MutantResult } from '../properties/mutants/run.ts';

interface Row extends MutantResult {
  readonly by: 'check' | 'explore' | null;
}

const argv = process.argv.slice(2);
const values = (flag: string): ReadonlyArray<string> => argv.flatMap((a, i) => (a === flag && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));

/** explore at its default bound on the mutant's own designs: the first expected hold it finds violated. */
const exploreFlip = (m: Mutant): MutantResult['flip'] => {
  for (const id of m.designs) {
    const world = { name: 'default', set: {}, without: m.without ?? [] };
    const d = withVariant(m.variant, () => exploreOne(id, invariantIds, undefined, defaults.maxStates, false, world));
    const r = d.results.find((x) => x.verdict === 'violated' && x.expected === 'held');
    if (r !== undefined) return { design: id, invariant: r.invariant, verdict: 'violated', runs: d.exploration.result.states, message: d.exploration.violations.find((v) => v.invariant === r.invariant)?.message ?? null };
  }
  return null;
};

const one = (id: string, own: boolean): Row => {
  const m = catalogue.find((x) => x.id === id);
  if (m === undefined) {
    process.stderr.write(`mutate:verdicts: unknown mutant '${id}'\n`);
    process.exit(2);
  }
  const r = runMutant(m, { seed: defaults.seed, runs: defaults.runs, maxCommands: defaults.maxCommands, ...(own ? { designs: m.designs } : {}) });
  if (r.outcome !== 'survived') return { ...r, by: r.outcome === 'flipped' ? 'check' : null };
  const t0 = Date.now();
  const flip = exploreFlip(m);
  return flip === null ? { ...r, by: null, ms: r.ms + Date.now() - t0 } : { ...r, outcome: 'flipped', flip, by: 'explore', ms: r.ms + Date.now() - t0 };
};

const child = (id: string, own: boolean): Promise<Row> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--one', id, ...(own ? ['--own'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`mutant ${id}: exit ${code}`))));
  });

const line = (r: Row): string =>
  `${r.id.padEnd(36)} ${r.outcome.padEnd(8)} ${r.flip === null ? (r.crash ?? '') : `${r.by}: ${r.flip.design} ${r.flip.invariant} ${r.flip.verdict} (${r.flip.runs} ${r.by === 'explore' ? 'states' : 'runs'})`}  ${(r.ms / 1000).toFixed(1)}s`;

const table = (rows: ReadonlyArray<Row>): string => {
  const m = (id: string) => catalogue.find((x) => x.id === id)!;
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    '| mutant | breaks | mimics | flipped by | first verdict that differs | or why it survives |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| \`${r.id}\` | ${cell(m(r.id).breaks)} | ${cell(m(r.id).mimics)} | ${r.by ?? (r.outcome === 'crashed' ? 'crash' : '—')} | ${r.flip === null ? (r.crash === null ? '' : cell(r.crash)) : `${r.flip.design} ${r.flip.invariant}: ${r.flip.verdict} (${r.flip.runs} ${r.by === 'explore' ? 'states' : 'runs'})`} | ${r.outcome === 'survived' ? cell(m(r.id).survives ?? '**no reason written**') : ''} |`,
    ),
  ].join('\n');
};

const main = async (): Promise<void> => {
  const own = argv.includes('--own');
  const single = values('--one');
  if (single.length > 0) {
    process.stdout.write(JSON.stringify(one(single[0]!, own)));
    return;
  }
  const asked = values('--mutant');
  const ids = asked.length > 0 ? asked : catalogue.map((m) => m.id);
  const jobs = Number(values('--jobs')[0] ?? Math.min(2, cpus().length));
  const t0 = Date.now();
  const rows: Row[] = new Array(ids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      rows[i] = await child(ids[i]!, own);
      process.stdout.write(`${line(rows[i]!)}\n`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  const flipped = rows.filter((r) => r.outcome === 'flipped').length;
  const crashed = rows.filter((r) => r.outcome === 'crashed').length;
  const survivors = rows.filter((r) => r.outcome === 'survived');
  const unexplained = survivors.filter((r) => catalogue.find((m) => m.id === r.id)!.survives === undefined);
  const summary = `${flipped} of ${rows.length} mutants flip a verdict (${((100 * flipped) / rows.length).toFixed(1)}%), ${crashed} crash the model, ${survivors.length} survive (${unexplained.length} without a written reason); ${own ? 'own designs only' : 'every design'}, ${((Date.now() - t0) / 1000).toFixed(0)} s on ${jobs} workers`;
  process.stdout.write(`\n${table(rows)}\n\nmutate:verdicts: ${summary}\n`);
  const out = values('--write')[0];
  // The file's own sections after the table (the notes a person wrote) are kept.
  const notes = out !== undefined && existsSync(out) ? /\n## [\s\S]*$/.exec(readFileSync(out, 'utf8'))?.[0] ?? '' : '';
  if (out !== undefined)
    writeFileSync(
      out,
      `# Verdict mutants\n\nThe last \`npm run mutate:verdicts\` (written by \`npm run mutate:verdicts -- --write docs/verdict-mutants.md\`; docs/assurance.md says what it does): ${summary}. Seed ${defaults.seed}, ${defaults.runs} runs of ${defaults.maxCommands} steps per search, each design's own budget where it asks for more; \`explore\` at ${defaults.maxStates} states where check flips nothing.\n\n${table(rows)}\n${notes}`,
    );
  process.exitCode = unexplained.length > 0 || crashed > 0 ? 1 : 0;
};

void main();
