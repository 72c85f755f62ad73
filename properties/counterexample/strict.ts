/**
 * Strict decoding: io-ts `t.type` lets unknown keys through, and `t.exact`
 * silently drops them. A counterexample file is evidence, so a key the
 * format does not declare is an error, found here by walking the codec
 * alongside the value. Only own properties count, and a declared name is
 * looked up with `hasOwnProperty`, never `in`: `toString`, `constructor`
 * and `__proto__` are unknown keys like any other.
 *
 * The walk follows the codec's structure, so declaring a field (in a
 * `t.type` or a `t.partial`, plain, readonly or intersected) is all it
 * takes to allow it.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

export interface ExtraKey {
  /** Path of the object holding the key, in the loader's `steps[2].args` form ('' for the root). */
  readonly at: string;
  readonly key: string;
}

type Codec = t.Decoder<unknown, unknown>;

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The fields an object codec declares, or null when `c` does not describe an object with fixed fields. */
export const declared = (c: Codec): Readonly<Record<string, Codec>> | null => {
  if (c instanceof t.ReadonlyType) return declared((c as t.ReadonlyType<t.Mixed>).type);
  if (c instanceof t.InterfaceType || c instanceof t.PartialType) return (c as t.InterfaceType<t.Props>).props;
  if (c instanceof t.IntersectionType) {
    const parts = (c as t.IntersectionType<t.Mixed[]>).types.map(declared);
    if (parts.some((p) => p === null)) return null;
    return Object.assign(Object.create(null) as Record<string, Codec>, ...parts);
  }
  return null;
};

const child = (at: string, k: string | number): string => (typeof k === 'number' ? `${at}[${k}]` : at === '' ? k : `${at}.${k}`);

/** The first key of `u`, depth first, that `c` does not declare; null when there is none. `u` must already decode with `c`. */
export const extraKey = (c: Codec, u: unknown, at = ''): ExtraKey | null => {
  if (u === null || typeof u !== 'object') return null;
  if (c instanceof t.ReadonlyType) return extraKey((c as t.ReadonlyType<t.Mixed>).type, u, at);
  if (c instanceof t.UnionType) {
    const member = (c as t.UnionType<t.Mixed[]>).types.find((m) => E.isRight(m.decode(u)));
    return member === undefined ? null : extraKey(member, u, at);
  }
  if (c instanceof t.ReadonlyArrayType || c instanceof t.ArrayType) {
    const item = (c as t.ArrayType<t.Mixed>).type;
    const xs = u as ReadonlyArray<unknown>;
    for (let i = 0; i < xs.length; i++) {
      const e = extraKey(item, xs[i], child(at, i));
      if (e !== null) return e;
    }
    return null;
  }
  const fields = declared(c);
  if (fields === null || Array.isArray(u)) return null;
  const record = u as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(record)) {
    if (!hasOwn(fields, k)) return { at, key: k };
    const e = extraKey(fields[k]!, record[k], child(at, k));
    if (e !== null) return e;
  }
  return null;
};
