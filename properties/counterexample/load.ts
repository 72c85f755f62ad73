/**
 * Loading a counterexample file: total, never throws. A bad file gives one
 * `LoadError` naming the file and the field path
 * (`x.json: steps[3].args.vma: expected a whole number, got "3"`).
 * Everything quoted from the file is escaped and bounded (quote.ts), and
 * the file's size, nesting and number of steps are bounded before any of
 * it is decoded, so no file can make the loader or a replay crash or hang.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Design } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import { defaultWorld, inWorld, type World, worldError, worldFromRecord } from '../../model/designs/world-choice.ts';
import { isOpKind, nat, type Op, opArgs } from '../../model/op.ts';
import { type InvariantId, isInvariantId } from '../invariant.ts';
import { type CounterexampleFile, CounterexampleFileCodec, FORMAT, VERSION } from './format.ts';
import { clip, escapeText, fileName, quoted } from './quote.ts';
import { extraKey } from './strict.ts';

/** A file larger than this is refused unread: a 1000-step trace takes about 100 KB. */
export const MAX_FILE_BYTES = 1 << 20;
/** Objects and arrays nest 5 deep in a valid file (root, steps, step, args, backing). */
export const MAX_DEPTH = 8;
/**
 * Steps a file may have. Each step of the model copies the state's maps, so
 * replay time grows with the square of the trace length (10000 `fork` steps
 * take seconds); a shrunk counterexample is tens of steps.
 */
export const MAX_STEPS = 1000;

export interface Counterexample {
  readonly source: string;
  readonly file: CounterexampleFile;
  /** The design, in the world the file records (its own when the file records none). */
  readonly design: Design;
  readonly world: World;
  readonly invariant: InvariantId;
  readonly ops: ReadonlyArray<Op>;
}

export interface LoadError {
  readonly source: string;
  /** The field path inside the file, '' for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

export const loadErrorLine = (e: LoadError): string => `${fileName(e.source)}: ${e.path === '' ? '' : `${clip(e.path, 100)}: `}${e.message}`;

const friendly: Readonly<Record<string, string>> = { UnknownRecord: 'an object', string: 'a string', boolean: 'true or false', number: 'a number' };

/** A JSON value in at most about `budget` characters, without walking more of it than that. */
const brief = (u: unknown, budget: number): string => {
  if (Array.isArray(u)) {
    const parts: string[] = [];
    let used = 2;
    for (const x of u) {
      if (used > budget) return `[${parts.join(',')},...]`;
      const p = brief(x, budget - used);
      parts.push(p);
      used += p.length + 1;
    }
    return `[${parts.join(',')}]`;
  }
  if (u !== null && typeof u === 'object') {
    const parts: string[] = [];
    let used = 2;
    for (const [k, x] of Object.entries(u)) {
      if (used > budget) return `{${parts.join(',')},...}`;
      const p = `${JSON.stringify(k.slice(0, budget))}:${brief(x, budget - used)}`;
      parts.push(p);
      used += p.length + 1;
    }
    return `{${parts.join(',')}}`;
  }
  return typeof u === 'string' ? JSON.stringify(u.slice(0, budget + 1)) : String(JSON.stringify(u));
};

const show = (u: unknown): string => (u === undefined ? 'nothing' : clip(brief(u, 40), 40));

/** The path of the first place nested deeper than MAX_DEPTH, or null. Iterative: depth cannot overflow the stack. */
const tooDeep = (root: unknown): string | null => {
  const stack: Array<{ readonly v: unknown; readonly depth: number; readonly path: string }> = [{ v: root, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > MAX_DEPTH) return path;
    for (const [k, x] of Object.entries(v))
      stack.push({ v: x, depth: depth + 1, path: Array.isArray(v) ? `${path}[${k}]` : path === '' ? escapeText(k.slice(0, 20)) : `${path}.${escapeText(k.slice(0, 20))}` });
  }
  return null;
};

const isIntersection = (c: t.Decoder<unknown, unknown>): boolean =>
  c instanceof t.IntersectionType || (c instanceof t.ReadonlyType && (c as t.ReadonlyType<t.Mixed>).type instanceof t.IntersectionType);

/** One io-ts error as (path, message): cut at the first union, skip intersection members. */
export const describeError = (e: t.ValidationError, prefix = ''): { path: string; message: string } => {
  const ctx = e.context;
  let end = ctx.length;
  for (let i = 1; i < ctx.length; i++)
    if (ctx[i]!.type instanceof t.UnionType) {
      end = i + 1;
      break;
    }
  let path = prefix;
  for (let i = 1; i < end; i++) {
    if (isIntersection(ctx[i - 1]!.type)) continue;
    const key = ctx[i]!.key;
    path += /^[0-9]+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  const last = ctx[end - 1]!;
  const name = friendly[last.type.name] ?? last.type.name;
  return { path, message: `expected ${name}, got ${show(last.actual)}` };
};

const fail = (source: string, path: string, message: string): E.Either<LoadError, never> => E.left({ source, path, message });

/** `at.key`, the key clipped for an error line. */
const keyPath = (at: string, key: string): string => `${at === '' ? '' : `${at}.`}${clip(key, 40)}`;

/** Decode the text of a counterexample file named `source`. */
export const decodeCounterexample = (source: string, text: string): E.Either<LoadError, Counterexample> => {
  if (text.length > MAX_FILE_BYTES) return fail(source, '', `${text.length} characters is over the limit of ${MAX_FILE_BYTES} for a counterexample file`);
  if (text.startsWith('\ufeff')) return fail(source, '', 'starts with a byte order mark (U+FEFF): save it as UTF-8 without one');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(source, '', `not JSON (${clip(err instanceof Error ? err.message : String(err), 100)})`);
  }
  return decodeCounterexampleValue(source, json);
};

/**
 * Decode a counterexample already parsed from JSON (or built from a pasted
 * report, paste.ts): the same checks, field by field, whatever the value
 * came from.
 */
export const decodeCounterexampleValue = (source: string, json: unknown): E.Either<LoadError, Counterexample> => {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail(source, '', `expected a JSON object, got ${show(json)}`);
  const deep = tooDeep(json);
  if (deep !== null) return fail(source, deep, `nested deeper than ${MAX_DEPTH} levels (a counterexample file needs 5)`);
  const raw = json as Record<string, unknown>;
  if (raw.format !== FORMAT) return fail(source, 'format', `expected "${FORMAT}", got ${show(raw.format)}`);
  if (typeof raw.version === 'number' && raw.version > VERSION)
    return fail(source, 'version', `${show(raw.version)} is newer than this dmacheck understands (${VERSION})`);
  if (Array.isArray(raw.steps) && raw.steps.length > MAX_STEPS)
    return fail(source, 'steps', `${raw.steps.length} steps is over the limit of ${MAX_STEPS} steps a counterexample file may have`);
  const decoded = CounterexampleFileCodec.decode(json);
  if (E.isLeft(decoded)) {
    const d = describeError(decoded.left[0]!);
    return fail(source, d.path, d.message);
  }
  const extra = extraKey(CounterexampleFileCodec, json);
  if (extra !== null) return fail(source, keyPath(extra.at, extra.key), 'unknown field');
  const file = decoded.right;
  if (file.version !== VERSION) return fail(source, 'version', `expected ${VERSION}, got ${file.version}`);
  const own = designById(file.design);
  if (own === undefined) return fail(source, 'design', `unknown design ${quoted(file.design)}`);
  const world = file.world === undefined ? E.right(defaultWorld) : worldFromRecord(file.world);
  if (E.isLeft(world)) return fail(source, world.left.field, world.left.message);
  const misfit = worldError([own], world.right, { world: 'world', without: 'world.without' });
  if (misfit !== null) {
    // The error starts with the field that named it: world (a named world that does not fit) or world.without.
    const at = /^(world(?:\.without)?): /.exec(misfit)!;
    return fail(source, at[1]!, misfit.slice(at[0].length));
  }
  const design = inWorld(own, world.right);
  if (!isInvariantId(file.invariant)) return fail(source, 'invariant', `unknown invariant ${quoted(file.invariant)}`);
  const ops: Op[] = [];
  for (const [i, s] of file.steps.entries()) {
    const at = `steps[${i}]`;
    if (!isOpKind(s.op)) return fail(source, `${at}.op`, `unknown operation ${quoted(s.op)}`);
    const codec = opArgs[s.op] as t.Type<object, object, unknown>;
    const a = codec.decode(s.args);
    if (E.isLeft(a)) {
      const d = describeError(a.left[0]!, `${at}.args`);
      return fail(source, d.path, d.message);
    }
    // `by` names the driver thread that made the call (model/op.ts): an argument every op may carry.
    const { by, ...own } = s.args as Record<string, unknown>;
    if (by !== undefined && !nat.is(by)) return fail(source, `${at}.args.by`, `expected a thread id (a whole number), got ${show(by)}`);
    const extraArg = extraKey(codec, Object.hasOwn(s.args, 'by') ? own : s.args, `${at}.args`);
    if (extraArg !== null)
      return fail(source, keyPath(extraArg.at, extraArg.key), extraArg.at === `${at}.args` ? `unknown argument of ${s.op}` : 'unknown field');
    ops.push({ kind: s.op, ...a.right, ...(by === undefined ? {} : { by }) } as Op);
  }
  if (file.violatesAt < 1 || file.violatesAt > ops.length) return fail(source, 'violatesAt', `must be a step number from 1 to ${ops.length}, got ${file.violatesAt}`);
  return E.right({ source, file, design, world: world.right, invariant: file.invariant, ops });
};

/**
 * At most MAX_FILE_BYTES of `path` (`-`: standard input), read in chunks
 * so that a bigger input (200 MiB piped in) is refused after 1 MiB, not
 * read whole first; a string says why not.
 */
const readBounded = (path: string): Buffer | string => {
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (err) {
    // Stryker disable next-line LogicalOperator: openSync throws only Node errors, each an Error with a code, for which both forms agree
    return `cannot read (${clip(err instanceof Error && 'code' in err ? String(err.code) : String(err), 60)})`;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    // A regular file says its size: refused unread when it is over.
    const st = fstatSync(fd);
    if (st.isFile() && st.size > MAX_FILE_BYTES) return `${st.size} bytes is over the limit of ${MAX_FILE_BYTES} for a counterexample file`;
    const chunk = Buffer.alloc(64 * 1024);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        // Standard input that is a non-blocking pipe with nothing yet: wait for it, without spinning.
        if (err instanceof Error && 'code' in err && err.code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 10);
          continue;
        }
        return `cannot read (${clip(err instanceof Error && 'code' in err ? String(err.code) : String(err), 60)})`;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_FILE_BYTES) return `over the limit of ${MAX_FILE_BYTES} bytes for a counterexample file (reading stopped there)`;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  return Buffer.concat(chunks);
};

/**
 * The text of `path` (`-` is standard input, named `stdin` in messages):
 * bounded, UTF-8 or an error.
 */
export const readInput = (path: string): E.Either<LoadError, { readonly source: string; readonly text: string }> => {
  const source = path === '-' ? 'stdin' : path;
  const read = readBounded(path);
  if (typeof read === 'string') return fail(source, '', read);
  const bytes = read;
  try {
    return E.right({ source, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) });
  } catch {
    return fail(source, '', 'not UTF-8 text');
  }
};

export const loadCounterexample = (path: string): E.Either<LoadError, Counterexample> =>
  E.chain(({ source, text }: { readonly source: string; readonly text: string }) => decodeCounterexample(source, text))(readInput(path));
