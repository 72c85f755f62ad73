/**
 * The worker-thread side of the parallel explorer (dma-parallel.ts).
 *
 * A worker rebuilds the design from its id and world (functions do not
 * cross threads), then answers the main thread's messages in order:
 * - `adopt`: states it now owns (the level at which the run went parallel);
 * - `expand`: expand these owned states (a chunk of a level) and keep the
 *   successors as that chunk's provisional states until told which to keep;
 * - `keep`: of a chunk's provisional states, these became new states of
 *   the search, with these ids; the rest are dropped.
 * Each answer is posted on the worker's port, and a shared counter is
 * bumped so that the main thread, blocked in `Atomics.wait`, wakes up.
 *
 * This module starts the loop when it is loaded in a worker made by
 * dma-parallel.ts (`workerData.dmacheckExplore`), and does nothing anywhere
 * else; dma-parallel.ts imports it so that the bundle and the sources both
 * contain it.
 */
import { isMainThread, type MessagePort, workerData } from 'node:worker_threads';
import { designById } from '../../model/designs/index.ts';
import { inWorld, type World, worldFor } from '../../model/designs/world-choice.ts';
import type { State } from '../../model/state.ts';
import type { InvariantId } from '../invariant.ts';
import { invariantById } from '../registry.ts';
import { ModelBug } from '../well-formed.ts';
import { enabledActions } from '../explore-dma.ts';
import { emptyExpansion, expandInto } from './dma-expand.ts';
import { FingerprintTable, fingerprint } from './fingerprints.ts';

export interface WorkerInit {
  readonly dmacheckExplore: true;
  readonly design: string;
  readonly world: World;
  readonly invariants: ReadonlyArray<InvariantId>;
  readonly fingerprints: boolean;
  /** As the main thread's state key: processes ranked by what they hold, or by creation order. */
  readonly processSymmetry: boolean;
  readonly port: MessagePort;
  /** Two Int32s: a counter bumped after each answer, and 1 once the worker exits. */
  readonly signal: SharedArrayBuffer;
}

export type ToWorker =
  | { readonly kind: 'adopt'; readonly ids: ReadonlyArray<number>; readonly states: ReadonlyArray<State> }
  | { readonly kind: 'expand'; readonly seq: number; readonly ids: ReadonlyArray<number>; readonly frontier: boolean }
  | { readonly kind: 'keep'; readonly seq: number; readonly provisional: ReadonlyArray<number>; readonly ids: ReadonlyArray<number> };

export type FromWorker =
  | {
      readonly kind: 'expanded';
      readonly seq: number;
      readonly counts: ReadonlyArray<number>;
      readonly keys: ReadonlyArray<string | number>;
      readonly violated: ReadonlyArray<number>;
      readonly exercised: ReadonlyArray<number>;
      readonly stateBugs: ReadonlyArray<string | null>;
      readonly bugs: ReadonlyArray<string | null>;
    }
  | { readonly kind: 'error'; readonly modelBug: boolean; readonly message: string };

const serve = (init: WorkerInit, onMessage: (handler: (m: ToWorker) => void) => void): void => {
  const own = designById(init.design);
  const invariants = init.invariants.map(invariantById);
  const owned = new Map<number, State>();
  /**
   * Per chunk: its successors, kept until the main thread says which became
   * states. Only a successor whose key this worker has not sent before is
   * kept (one sent before is a state already, or was refused as one): the
   * rest would live long enough to reach the old generation and die there.
   * A kept slot that was let go (another worker's state with this key was
   * refused, or two keys' fingerprints met) is made again from its parent.
   */
  const provisional = new Map<number, { readonly states: (State | null)[]; readonly parents: ReadonlyArray<State>; readonly parentOf: ReadonlyArray<number> }>();
  const sent = new FingerprintTable();
  const counter = new Int32Array(init.signal);
  const answer = (m: FromWorker): void => {
    init.port.postMessage(m);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  const fail = (err: unknown): void => answer({ kind: 'error', modelBug: err instanceof ModelBug, message: err instanceof Error ? err.message : String(err) });
  if (own === undefined) {
    fail(new Error(`explore worker: no design ${init.design}`));
    return;
  }
  const design = inWorld(own, worldFor(own, init.world));
  // An error outside a message, and the worker's end however it comes, reach the waiting main thread.
  process.on('uncaughtException', fail);
  process.on('exit', () => {
    Atomics.store(counter, 1, 1);
    Atomics.notify(counter, 0);
  });
  /** The successor of `parent` by its action `a`, made again. */
  const again = (parent: State, a: number): State => {
    const calls = enabledActions(design, parent)[a]?.calls;
    if (calls === undefined) throw new ModelBug(`explore worker: action ${a} is no longer enabled`);
    return calls[calls.length - 1]!.step.state;
  };
  onMessage((m) => {
    try {
      switch (m.kind) {
        case 'adopt':
          m.ids.forEach((id, i) => owned.set(id, m.states[i]!));
          return;
        case 'keep': {
          const chunk = provisional.get(m.seq);
          if (chunk === undefined) throw new ModelBug(`explore worker: chunk ${m.seq} is not held here`);
          provisional.delete(m.seq);
          m.provisional.forEach((slot, i) => owned.set(m.ids[i]!, chunk.states[slot] ?? again(chunk.parents[chunk.parentOf[slot]!]!, slot - chunk.parentOf.indexOf(chunk.parentOf[slot]!))));
          return;
        }
        case 'expand': {
          const out = emptyExpansion();
          const parents: State[] = [];
          const parentOf: number[] = [];
          for (const id of m.ids) {
            const s = owned.get(id);
            if (s === undefined) throw new ModelBug(`explore worker: state ${id} is not held here`);
            owned.delete(id);
            const from = out.keys.length;
            expandInto(out, design, invariants, s, !m.frontier, init.fingerprints, init.processSymmetry);
            for (let t = from; t < out.keys.length; t++) {
              parentOf.push(parents.length);
              const key = out.keys[t]!;
              if (m.frontier || !sent.idOf(typeof key === 'number' ? key : fingerprint(key), sent.size).added) out.states[t] = null;
            }
            parents.push(s);
          }
          if (!m.frontier) provisional.set(m.seq, { states: out.states, parents, parentOf });
          answer({ kind: 'expanded', seq: m.seq, counts: out.counts, keys: out.keys, violated: out.violated, exercised: out.exercised, stateBugs: out.stateBugs, bugs: out.bugs });
          return;
        }
      }
    } catch (err) {
      fail(err);
    }
  });
};

const data = workerData as Partial<WorkerInit> | null;
if (!isMainThread && data !== null && typeof data === 'object' && data.dmacheckExplore === true) {
  const init = data as WorkerInit;
  serve(init, (handler) => init.port.on('message', handler));
}
