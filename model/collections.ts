/** Copy-on-write helpers for the readonly maps and arrays of `State`. */

export const put = <K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V> => new Map(m).set(k, v);

export const drop = <K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V> => {
  const c = new Map(m);
  c.delete(k);
  return c;
};

export const replaceAt = <A>(xs: ReadonlyArray<A>, i: number, x: A): ReadonlyArray<A> => {
  const c = xs.slice();
  if (i >= 0 && i < c.length) c[i] = x;
  return c;
};

export const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i);
