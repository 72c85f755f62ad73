/**
 * Command-line parsing for `dmacheck`. Total: bad input comes back as a
 * one-line message (exit status 2), never as an exception.
 */
import * as E from 'fp-ts/lib/Either.js';
import { designs } from '../model/designs/index.ts';
import { type InvariantId, invariantIds, isInvariantId } from '../properties/invariant.ts';

export interface CheckArgs {
  readonly command: 'check';
  readonly designs: ReadonlyArray<string>;
  readonly invariants: ReadonlyArray<InvariantId>;
  readonly runs: number;
  readonly seed: number;
  readonly maxCommands: number;
  readonly json: boolean;
  readonly path: string | undefined;
}

export type Args = CheckArgs | { readonly command: 'help' };

export const defaults = { runs: 10000, seed: 2019, maxCommands: 80 } as const;

export const usage = `usage: dmacheck check [--design ID]... [--invariant ID]... [--runs N] [--seed S] [--max-commands N] [--path P] [--json]
  designs:    ${designs.map((d) => d.id).join(', ')}
  invariants: ${invariantIds.join(', ')}
  defaults:   --runs ${defaults.runs} --seed ${defaults.seed} --max-commands ${defaults.maxCommands}`;

const positive = (flag: string, v: string): E.Either<string, number> =>
  /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000_000 ? E.right(Number(v)) : E.left(`${flag}: expected a whole number from 1 to 10000000, got '${v}'`);

const seedOf = (v: string): E.Either<string, number> =>
  /^-?[0-9]+$/.test(v) && Number(v) >= -(2 ** 31) && Number(v) < 2 ** 31 ? E.right(Number(v)) : E.left(`--seed: expected a 32-bit integer, got '${v}'`);

export const parseArgs = (argv: ReadonlyArray<string>): E.Either<string, Args> => {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return E.right({ command: 'help' });
  if (command !== 'check') return E.left(`unknown command '${command}' (expected: check)`);
  const ds: string[] = [];
  const is: InvariantId[] = [];
  let runs: number = defaults.runs;
  let seed: number = defaults.seed;
  let maxCommands: number = defaults.maxCommands;
  let json = false;
  let path: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const raw = rest[i]!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    if (flag === '--json') {
      if (inline !== undefined) return E.left('--json takes no value');
      json = true;
      continue;
    }
    const value = inline ?? rest[++i];
    if (!['--design', '--invariant', '--runs', '--seed', '--max-commands', '--path'].includes(flag)) return E.left(`unknown option '${raw}'`);
    if (value === undefined) return E.left(`${flag} needs a value`);
    if (flag === '--design') {
      if (!designs.some((d) => d.id === value)) return E.left(`--design: unknown design '${value}' (known: ${designs.map((d) => d.id).join(', ')})`);
      ds.push(value);
    } else if (flag === '--invariant') {
      if (!isInvariantId(value)) return E.left(`--invariant: unknown invariant '${value}' (known: ${invariantIds.join(', ')})`);
      is.push(value);
    } else if (flag === '--path') {
      if (!/^[0-9]+(:[0-9]+)*@[A-Za-z0-9+/]*:[A-Za-z0-9+/]*$/.test(value)) return E.left(`--path: expected a replay path as printed by a failing search (like 12:3:3@B:A), got '${value}'`);
      path = value;
    } else {
      const n = flag === '--seed' ? seedOf(value) : positive(flag, value);
      if (E.isLeft(n)) return n;
      if (flag === '--runs') runs = n.right;
      else if (flag === '--seed') seed = n.right;
      else maxCommands = n.right;
    }
  }
  if (path !== undefined && ds.length !== 1) return E.left('--path replays one search: give exactly one --design');
  return E.right({
    command: 'check',
    designs: ds.length === 0 ? designs.map((d) => d.id) : [...new Set(ds)],
    invariants: is.length === 0 ? [...invariantIds] : [...new Set(is)],
    runs,
    seed,
    maxCommands,
    json,
    path,
  });
};
