/**
 * A deliberately broken kernel or driver, for the verdict-mutation
 * harness (properties/mutants/): op handlers that replace the model's own
 * and recipes that replace the registry's. Every ordinary run (check,
 * explore, replay, the tests of the model) runs with none; only
 * `withVariant` sets one, for the duration of one call, and puts the
 * previous one back however that call ends. The model's functions stay
 * pure under a fixed variant: the same state and op give the same result.
 */
import type { Op, OpKind } from './op.ts';
import type { Recipe } from './recipe.ts';
import type { Outcome } from './result.ts';
import type { State } from './state.ts';

export type Handler<K extends OpKind> = (s: State, op: Extract<Op, { kind: K }>) => Outcome;

export interface Variant {
  /** Replacements of kernel (and driver-action) ops, each given the model's own handler. */
  readonly ops: { readonly [K in OpKind]?: (original: Handler<K>) => Handler<K> };
  /** Replacements of importer recipes, by name, each given the registry's own. */
  readonly recipes: Readonly<Record<string, (original: Recipe) => Recipe>>;
}

let active: Variant | null = null;

export const activeVariant = (): Variant | null => active;

/** Run `f` on the model broken as `v` says; the model is whole again when `f` returns or throws. */
export const withVariant = <T>(v: Variant, f: () => T): T => {
  const before = active;
  active = v;
  try {
    return f();
  } finally {
    active = before;
  }
};
