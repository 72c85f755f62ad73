/**
 * An invariant is a named, pure predicate over one step of the model:
 * the state before, the operation, and what it produced. It returns
 * `O.some(message)` when the step breaks the kernel rule it encodes.
 */
import type * as O from 'fp-ts/lib/Option.js';
import type { Op } from '../model/op.ts';
import type { Step } from '../model/result.ts';
import type { State } from '../model/state.ts';

export const invariantIds = [
  'no-cpu-iomem',
  'map-within-vma-lifetime',
  'correct-dirtying',
  'no-dma-after-free',
  'pin-coherent',
  'notifier-protocol',
  'dma-api-hygiene',
  'provider-removal',
  'mirror-coherent',
  'gup-release',
  'isolation',
  'dmabuf-protocol',
  'iova-state',
  'p2p-reachable',
] as const;

export type InvariantId = (typeof invariantIds)[number];

export const isInvariantId = (x: string): x is InvariantId => (invariantIds as ReadonlyArray<string>).includes(x);

export interface Invariant {
  readonly id: InvariantId;
  /** The rule in one sentence. */
  readonly rule: string;
  /** Where the kernel states it. */
  readonly source: string;
  readonly check: (before: State, op: Op, step: Step) => O.Option<string>;
  /**
   * Does this step reach the situation the rule guards (a VMA destroyed
   * under a mapping made from it, a CPU walking an SGL, ...)? A hold whose
   * search never reached it is vacuous, and the report says so.
   */
  readonly exercised: (before: State, op: Op, step: Step) => boolean;
}

export interface Violation {
  readonly invariant: InvariantId;
  readonly message: string;
}
