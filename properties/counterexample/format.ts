/**
 * The counterexample file format. The io-ts codecs here are its single
 * definition: the TypeScript types derive from them, the loader decodes
 * with them, docs/counterexample-format.md describes them field by field.
 *
 * A file is one shrunk violation of one invariant by one design, with the
 * steps as the same `{ op, args }` that `check --json` prints. Like a
 * litmus test it carries its own expected result (`invariant` at step
 * `violatesAt`); the seed and path are provenance, never the archive.
 */
import { createHash } from 'node:crypto';
import * as t from 'io-ts';
import { nat } from '../../model/op.ts';

export const FORMAT = 'dmacheck-counterexample';
export const VERSION = 1;

const int32 = new t.Type<number, number, unknown>(
  'a 32-bit integer',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= -(2 ** 31) && u < 2 ** 31,
  (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= -(2 ** 31) && u < 2 ** 31 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** A string of at most `max` characters. */
const shortString = (max: number) =>
  new t.Type<string, string, unknown>(
    `a string of at most ${max} characters`,
    (u): u is string => typeof u === 'string' && u.length <= max,
    (u, c) => (typeof u === 'string' && u.length <= max ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

/**
 * One step as written in the file; its args are checked against the op's
 * own codec afterwards. The loader rejects any key not declared here, so an
 * optional field of a step is one line in the `t.partial`.
 */
export const StepJsonCodec = t.readonly(
  t.intersection([
    t.type({ op: t.string, args: t.UnknownRecord }),
    t.partial({}),
  ]),
  'a step {op, args}',
);

export const FoundCodec = t.readonly(
  t.intersection([
    t.type({ by: shortString(200), date: shortString(40) }),
    t.partial({ seed: int32, path: shortString(10_000), fastCheckVersion: shortString(40) }),
  ]),
  'provenance {by, date, seed?, path?, fastCheckVersion?}',
);

/**
 * The world the trace was found in, when not the design's own: a named
 * world (`--world`), sizes and bounds changed on top of it (`--set`), steps
 * left out (`--without`). Replay builds the same world.
 */
export const WorldJsonCodec = t.readonly(
  t.intersection([
    t.type({ name: shortString(40) }),
    t.partial({
      set: t.readonly(
        t.partial({ 'ram-pages': nat, 'file-pages': nat, 'bar-pages': nat, 'swap-slots': nat, vmas: nat, mms: nat, notifiers: nat, ios: nat, mappings: nat }),
      ),
      without: t.readonlyArray(shortString(200)),
    }),
  ]),
  'a world {name, set?, without?}',
);

export const CounterexampleFileCodec = t.readonly(
  t.intersection([
    t.type({
      format: t.literal(FORMAT),
      version: nat,
      design: t.string,
      invariant: t.string,
      steps: t.readonlyArray(StepJsonCodec),
      violatesAt: nat,
      found: FoundCodec,
    }),
    t.partial({ title: shortString(200), note: shortString(2000), world: WorldJsonCodec }),
  ]),
  'a dmacheck counterexample',
);

export type StepJson = t.TypeOf<typeof StepJsonCodec>;
export type CounterexampleFile = t.TypeOf<typeof CounterexampleFileCodec>;

/** JSON with object keys sorted at every level: the form that is hashed. */
export const canonicalJson = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
};

export type WorldJson = t.TypeOf<typeof WorldJsonCodec>;

/** The sizes of a world that change what its steps mean (frame numbers): part of a trace's identity. Bounds and left-out steps are not. */
const sizesOf = (w: WorldJson | undefined): object | null => {
  const s = w?.set;
  if (s === undefined) return null;
  const sizes = Object.fromEntries((['ram-pages', 'file-pages', 'bar-pages'] as const).flatMap((k) => (s[k] === undefined ? [] : [[k, s[k]]])));
  return Object.keys(sizes).length === 0 ? null : sizes;
};

/** The first 10 hex digits of SHA-256 over the canonical (design, steps), and the world's sizes where it changes them. */
export const counterexampleId = (design: string, steps: ReadonlyArray<StepJson>, world?: WorldJson): string => {
  const sizes = sizesOf(world);
  return createHash('sha256').update(canonicalJson(sizes === null ? { design, steps } : { design, steps, sizes })).digest('hex').slice(0, 10);
};

/** Where a counterexample lives under the corpus root. */
export const counterexamplePath = (root: string, f: Pick<CounterexampleFile, 'design' | 'invariant' | 'steps' | 'world'>): string =>
  `${root}/${f.design}/${f.invariant}-${counterexampleId(f.design, f.steps, f.world)}.json`;

/** JSON.stringify with every character outside ASCII written as `\\uXXXX`: the same value, plain ASCII text. */
const asciiJson = (v: unknown): string =>
  JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The file's text: fields in a fixed order, one step per line so a diff
 * or a review reads like the trace, a newline at the end. Plain ASCII,
 * whatever the title holds.
 */
export const serialise = (f: CounterexampleFile): string => {
  const field = (k: string, v: unknown) => `  ${JSON.stringify(k)}: ${asciiJson(v)}`;
  const steps = f.steps.map(({ op, args, ...more }) => `    ${asciiJson({ op, args, ...more })}`).join(',\n');
  const lines = [
    field('format', f.format),
    field('version', f.version),
    field('design', f.design),
    field('invariant', f.invariant),
    ...(f.title === undefined ? [] : [field('title', f.title)]),
    field('violatesAt', f.violatesAt),
    `  "steps": [\n${steps}\n  ]`,
    field('found', f.found),
    ...(f.note === undefined ? [] : [field('note', f.note)]),
    ...(f.world === undefined ? [] : [field('world', f.world)]),
  ];
  return `{\n${lines.join(',\n')}\n}\n`;
};
