/**
 * Loading a counterexample file: total, never throws. A bad file gives one
 * `LoadError` naming the file and the field path
 * (`x.json: steps[3].args.vma: expected a whole number, got "3"`).
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Design } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import { isOpKind, nat, type Op, opArgs } from '../../model/op.ts';
import { type InvariantId, isInvariantId } from '../invariant.ts';
import { type CounterexampleFile, CounterexampleFileCodec, FORMAT, VERSION } from './format.ts';

export interface Counterexample {
  readonly source: string;
  readonly file: CounterexampleFile;
  readonly design: Design;
  readonly invariant: InvariantId;
  readonly ops: ReadonlyArray<Op>;
}

export interface LoadError {
  readonly source: string;
  /** The field path inside the file, '' for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

export const loadErrorLine = (e: LoadError): string => `${e.source}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`;

const friendly: Readonly<Record<string, string>> = { UnknownRecord: 'an object', string: 'a string', boolean: 'true or false', number: 'a number' };

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing';
  const s = JSON.stringify(u);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
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

/** Decode the text of a counterexample file named `source`. */
export const decodeCounterexample = (source: string, text: string): E.Either<LoadError, Counterexample> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(source, '', `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail(source, '', `expected a JSON object, got ${show(json)}`);
  const raw = json as Record<string, unknown>;
  if (raw.format !== FORMAT) return fail(source, 'format', `expected "${FORMAT}", got ${show(raw.format)}`);
  if (typeof raw.version === 'number' && raw.version > VERSION)
    return fail(source, 'version', `${raw.version} is newer than this dmacheck understands (${VERSION})`);
  const decoded = CounterexampleFileCodec.decode(json);
  if (E.isLeft(decoded)) {
    const d = describeError(decoded.left[0]!);
    return fail(source, d.path, d.message);
  }
  const file = decoded.right;
  if (file.version !== VERSION) return fail(source, 'version', `expected ${VERSION}, got ${file.version}`);
  const design = designById(file.design);
  if (design === undefined) return fail(source, 'design', `unknown design '${file.design}'`);
  if (!isInvariantId(file.invariant)) return fail(source, 'invariant', `unknown invariant '${file.invariant}'`);
  const ops: Op[] = [];
  for (const [i, s] of file.steps.entries()) {
    const at = `steps[${i}]`;
    if (!isOpKind(s.op)) return fail(source, `${at}.op`, `unknown operation '${s.op}'`);
    const codec = opArgs[s.op] as t.Type<object, object, unknown>;
    const props = (codec as unknown as t.ReadonlyType<t.InterfaceType<t.Props>>).type.props;
    const extra = Object.keys(s.args).find((k) => !(k in props) && k !== 'by');
    if (extra !== undefined) return fail(source, `${at}.args.${extra}`, `unknown argument of ${s.op}`);
    const a = codec.decode(s.args);
    if (E.isLeft(a)) {
      const d = describeError(a.left[0]!, `${at}.args`);
      return fail(source, d.path, d.message);
    }
    const by = (s.args as Record<string, unknown>).by;
    if (by !== undefined && !nat.is(by)) return fail(source, `${at}.args.by`, `expected a thread id (a whole number), got ${show(by)}`);
    ops.push({ kind: s.op, ...a.right, ...(by === undefined ? {} : { by }) } as Op);
  }
  if (file.violatesAt < 1 || file.violatesAt > ops.length) return fail(source, 'violatesAt', `must be a step number from 1 to ${ops.length}, got ${file.violatesAt}`);
  return E.right({ source, file, design, invariant: file.invariant, ops });
};

export const loadCounterexample = (path: string): E.Either<LoadError, Counterexample> => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(path, '', `cannot read (${err instanceof Error && 'code' in err ? String(err.code) : String(err)})`);
  }
  return decodeCounterexample(path, text);
};
