/**
 * The DMA model explored on several threads, with the same answers as one.
 *
 * The breadth-first engine (engine.ts) and its visited set stay on the main
 * thread, and it merges every level in the order one thread would: states
 * in level order, actions in order, ids handed out on first sight. Only the
 * expensive part moves to worker threads (dma-worker.ts): enabling the
 * steps, running their kernel calls, checking well-formedness, judging the
 * invariants and building canonical keys. So the state counts, transitions,
 * verdicts, shortest traces and exercised counts are those of the
 * sequential run, whatever the number of workers or the timing (a test
 * compares them).
 *
 * A state lives on the thread that made it, and a merged chunk's
 * successors are let go on both sides. The run starts on the main
 * thread; when a level reaches `PARALLEL_FROM` states the main thread hands
 * that level's states to the workers in turn, and from then on each worker
 * expands the states it made and keeps those the main thread calls new.
 * Levels go to the workers in chunks (the next one is computed while the
 * main thread merges the last), so a worker holds at most a few chunks'
 * successors besides the states it owns.
 *
 * The engine's API is synchronous, and so is this: the main thread waits
 * for a worker's answer in `Atomics.wait` and takes it with
 * `receiveMessageOnPort`, as synckit does.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Design } from '../../model/designs/design.ts';
import type { World } from '../../model/designs/world-choice.ts';
import type { State } from '../../model/state.ts';
import { makeWorld } from '../../model/world.ts';
import { canonicalKey } from '../canonical.ts';
import type { Invariant, InvariantId } from '../invariant.ts';
import { ModelBug } from '../well-formed.ts';
import { emptyExpansion, type Expansion, expandInto } from './dma-expand.ts';
import type { FromWorker, ToWorker, WorkerInit } from './dma-worker.ts';
import './dma-worker.ts';
import { FingerprintTable, fingerprint } from './fingerprints.ts';
import type { ExplorableModel } from './types.ts';

/**
 * A level this large goes to the workers (smaller ones are expanded here:
 * starting threads costs more). `DMACHECK_PARALLEL_FROM` lowers it, so that
 * tests can compare small worlds explored both ways.
 */
export const PARALLEL_FROM = Number(process.env.DMACHECK_PARALLEL_FROM ?? 512);
/** States per chunk of a level, all workers together. */
const CHUNK = 512;
/** Chunks asked ahead of the one being merged: a worker with less work in one chunk goes on with the next. */
const AHEAD = 4;
/** A worker silent this long has died (each chunk takes well under a second a state). */
const SILENCE_MS = 10 * 60_000;

/** A state being expanded: its id (the state itself lives where it was made). */
interface Handle {
  readonly id: number;
}

/** A successor: its key, and where its state is (here, or a worker's provisional slot). */
interface Successor {
  readonly key: string | number;
  readonly worker: number;
  readonly seq: number;
  readonly slot: number;
  readonly state: State | null;
  readonly violated: number;
  readonly exercised: ArrayLike<number>;
  /** A model bug met judging this transition: thrown when the engine reaches it. */
  readonly bug: string | null;
}

/** A state's successors, or the model bug met enabling its actions (thrown when the engine expands it). */
interface Expanded {
  readonly successors: ReadonlyArray<Successor>;
  readonly bug: string | null;
}

/** A chunk the engine has merged: its successors are let go. */
const RELEASED: ReadonlyMap<number, Expanded> = new Map();

interface Lane {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly counter: Int32Array;
}

/** Where the explored design comes from, so that a worker can build it again. */
export interface DesignSource {
  readonly design: string;
  readonly world: World;
}

/** How a worker thread loads the code: this module's own file (the bundle, or the sources through tsx). */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx !== null) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => {
  workerData.port.postMessage({ kind: 'error', modelBug: false, message: 'explore worker did not start: ' + (err && err.message ? err.message : String(err)) });
  const c = new Int32Array(workerData.signal);
  Atomics.add(c, 0, 1);
  Atomics.notify(c, 0);
});
`;

/** The sources need tsx in the worker too (the ESM entry of its API: register() then works for import()). */
const tsxLoader = (): string | null => {
  if (!import.meta.url.endsWith('.ts')) return null;
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
};

interface Level {
  /** Ids of the level, in order. */
  readonly ids: ReadonlyArray<number>;
  readonly position: ReadonlyMap<number, number>;
  readonly frontier: boolean;
  /** Per chunk: the successors of each of its states, once its answers are in (RELEASED once merged). */
  readonly chunks: (ReadonlyMap<number, Expanded> | undefined)[];
  /** Chunks asked of the workers so far. */
  asked: number;
}

export class ParallelDmaModel implements ExplorableModel<Handle | Successor | State> {
  readonly actionCount: number;
  private readonly ids = new Map<string, number>();
  private readonly table: FingerprintTable | null;
  keyBytes = 0;
  readonly exercised = new Map<InvariantId, number>();
  /** Chunks of levels expanded on worker threads (0: every level was small enough to expand here). */
  get chunksOnWorkers(): number {
    return this.seq;
  }
  /** States held on this thread, by id (before the run goes parallel). */
  private readonly local = new Map<number, State>();
  /** Which worker holds each state made since the run went parallel. */
  private readonly owner = new Map<number, number>();
  /** Per worker: the provisional slots of the chunk being merged that became states, and their ids. */
  private keeps: { seq: number; slots: number[]; ids: number[] }[] = [];
  private lanes: Lane[] = [];
  private level: Level | null = null;
  private seq = 0;
  /** Chunks asked of the workers and not yet received. */
  private asked: { readonly chunk: number; readonly seq: number; readonly parts: ReadonlyArray<ReadonlyArray<number>> }[] = [];

  constructor(
    private readonly source: DesignSource,
    private readonly design: Design,
    private readonly invariants: ReadonlyArray<Invariant>,
    private readonly workers: number,
    actionCount: number,
    store: 'exact' | 'fingerprint',
    private readonly processSymmetry: boolean,
  ) {
    this.actionCount = actionCount;
    this.table = store === 'fingerprint' ? new FingerprintTable() : null;
  }

  get bytesOfKeys(): number {
    return this.table === null ? this.keyBytes : this.table.bytes;
  }

  initial(): State {
    return makeWorld(this.design.world);
  }

  encode(x: Handle | Successor | State): number {
    if ('frames' in x) {
      const key = canonicalKey(x, this.processSymmetry);
      return this.idOf(this.table === null ? key : fingerprint(key), null, x);
    }
    return this.idOf((x as Successor).key, x as Successor, (x as Successor).state);
  }

  private idOf(key: string | number, from: Successor | null, state: State | null): number {
    let id: number;
    let added: boolean;
    if (this.table !== null) ({ id, added } = this.table.idOf(key as number, this.table.size));
    else {
      const known = this.ids.get(key as string);
      added = known === undefined;
      id = known ?? this.ids.size;
      if (added) {
        this.ids.set(key as string, id);
        this.keyBytes += 2 * (key as string).length;
      }
    }
    if (added && this.level?.frontier !== true) {
      if (state !== null) this.local.set(id, state);
      else if (from !== null) {
        const k = this.keeps[from.worker]!;
        k.slots.push(from.slot);
        k.ids.push(id);
        this.owner.set(id, from.worker);
      }
    }
    return id;
  }

  decode(id: number): Handle {
    const level = this.level;
    if (level === null) throw new ModelBug(`explorer: state ${id} decoded outside a level`);
    const j = level.position.get(id);
    if (j === undefined) throw new ModelBug(`explorer: state ${id} is not in the level`);
    const c = Math.floor(j / CHUNK);
    if (level.chunks[c] === undefined) this.await(level, c);
    return { id };
  }

  next(s: Handle | Successor | State, action: number): Successor | null {
    const level = this.level!;
    const id = (s as Handle).id;
    const e = level.chunks[Math.floor(level.position.get(id)! / CHUNK)]!.get(id)!;
    if (e.bug !== null) throw new ModelBug(e.bug);
    return e.successors[action] ?? null;
  }

  violations(_s: Handle | Successor | State, _action: number, t: Handle | Successor | State): ReadonlyArray<string> {
    const succ = t as Successor;
    if (succ.bug !== null) throw new ModelBug(succ.bug);
    const out: string[] = [];
    for (const [i, inv] of this.invariants.entries()) {
      if ((succ.violated & (1 << i)) !== 0) out.push(inv.id);
      const n = succ.exercised[i]!;
      if (n > 0) this.exercised.set(inv.id, (this.exercised.get(inv.id) ?? 0) + n);
    }
    return out;
  }

  actionName(action: number): string {
    return `action ${action}`;
  }

  prepareLevel(keys: Float64Array, length: number, frontier: boolean): void {
    this.flushKeeps();
    const ids = Array.from(keys.subarray(0, length));
    const level: Level = { ids, position: new Map(ids.map((id, j) => [id, j])), frontier, chunks: [], asked: 0 };
    this.level = level;
    if (this.lanes.length === 0 && (this.workers < 2 || length < PARALLEL_FROM)) {
      // Expanded here, all at once: the level is small.
      const out = emptyExpansion();
      for (const id of ids) {
        const s = this.local.get(id);
        if (s === undefined) throw new ModelBug(`explorer: state ${id} decoded twice`);
        this.local.delete(id);
        expandInto(out, this.design, this.invariants, s, !frontier, this.table !== null, this.processSymmetry);
      }
      level.chunks.length = Math.ceil(length / CHUNK);
      this.file(level, ids, out, -1, -1);
      return;
    }
    if (this.lanes.length === 0) this.start(ids);
    for (let c = 0; c < AHEAD; c++) this.ask(level);
  }

  close(): void {
    for (const lane of this.lanes) {
      lane.port.close();
      void lane.worker.terminate();
    }
    this.lanes = [];
  }

  /** Starts the workers and gives them this level's states in turn. */
  private start(ids: ReadonlyArray<number>): void {
    const entry = import.meta.url;
    const tsx = tsxLoader();
    for (let w = 0; w < this.workers; w++) {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(8);
      const init: WorkerInit & { readonly entry: string; readonly tsx: string | null } = {
        dmacheckExplore: true,
        design: this.source.design,
        world: this.source.world,
        invariants: this.invariants.map((i) => i.id),
        fingerprints: this.table !== null,
        processSymmetry: this.processSymmetry,
        port: port2,
        signal,
        entry,
        tsx,
      };
      const worker = new Worker(BOOT, { eval: true, workerData: init, transferList: [port2] });
      worker.unref();
      this.lanes.push({ worker, port: port1, counter: new Int32Array(signal) });
      this.keeps.push({ seq: -1, slots: [], ids: [] });
    }
    const share = this.lanes.map(() => ({ ids: [] as number[], states: [] as State[] }));
    ids.forEach((id, j) => {
      const w = j % this.lanes.length;
      const s = this.local.get(id);
      if (s === undefined) throw new ModelBug(`explorer: state ${id} decoded twice`);
      this.local.delete(id);
      share[w]!.ids.push(id);
      share[w]!.states.push(s);
      this.owner.set(id, w);
    });
    share.forEach((x, w) => this.send(w, { kind: 'adopt', ids: x.ids, states: x.states }));
  }

  private send(w: number, m: ToWorker): void {
    this.lanes[w]!.port.postMessage(m);
  }

  /** Tells each worker which of its last chunk's successors became states. */
  private flushKeeps(): void {
    this.keeps.forEach((k, w) => {
      if (k.seq >= 0) this.send(w, { kind: 'keep', seq: k.seq, provisional: k.slots, ids: k.ids });
      this.keeps[w] = { seq: -1, slots: [], ids: [] };
    });
  }

  /** Asks the workers for the next chunk of the level, if any is left. */
  private ask(level: Level): void {
    const c = level.asked;
    if (c * CHUNK >= level.ids.length) return;
    level.asked++;
    const parts = this.lanes.map(() => [] as number[]);
    for (const id of level.ids.slice(c * CHUNK, (c + 1) * CHUNK)) {
      parts[this.owner.get(id)!]!.push(id);
      // Each state is expanded once: its owner is known to the worker from now on.
      this.owner.delete(id);
    }
    const seq = this.seq++;
    parts.forEach((ids, w) => this.send(w, { kind: 'expand', seq, ids, frontier: level.frontier }));
    this.asked.push({ chunk: c, seq, parts });
  }

  /** Waits for chunk c's answers (asking for the one after it first) and files them. */
  private await(level: Level, c: number): void {
    if (this.lanes.length === 0) throw new ModelBug(`explorer: chunk ${c} was never asked for`);
    // The successors of the chunk before are all merged now: say which became states, and let them go.
    this.flushKeeps();
    if (c > 0) level.chunks[c - 1] = RELEASED;
    this.ask(level);
    const at = this.asked.findIndex((q) => q.chunk === c);
    if (at < 0) throw new ModelBug(`explorer: chunk ${c} was never asked for`);
    const { seq, parts } = this.asked[at]!;
    this.asked.splice(at, 1);
    const answers = parts.map((_, w) => this.receive(w, seq));
    answers.forEach((out, w) => this.file(level, parts[w]!, out, w, seq));
    // A frontier's successors are only looked up: the workers keep none.
    if (!level.frontier) for (const k of this.keeps) k.seq = seq;
  }

  private receive(w: number, seq: number): Expansion {
    const lane = this.lanes[w]!;
    let silent = 0;
    for (;;) {
      const seen = Atomics.load(lane.counter, 0);
      const got = receiveMessageOnPort(lane.port);
      if (got !== undefined) {
        const m = got.message as FromWorker;
        if (m.kind === 'error') {
          this.close();
          throw m.modelBug ? new ModelBug(m.message) : new Error(m.message);
        }
        if (m.seq !== seq) throw new ModelBug(`explorer: worker ${w} answered chunk ${m.seq}, not ${seq}`);
        return {
          counts: m.counts as number[],
          keys: m.keys as (string | number)[],
          violated: m.violated as number[],
          exercised: m.exercised as number[],
          states: [],
          stateBugs: m.stateBugs as (string | null)[],
          bugs: m.bugs as (string | null)[],
        };
      }
      if (Atomics.load(lane.counter, 1) === 1) {
        this.close();
        throw new Error(`explore: worker ${w} stopped without answering chunk ${seq}`);
      }
      if (Atomics.wait(lane.counter, 0, seen, 1000) === 'timed-out' && (silent += 1000) >= SILENCE_MS) {
        this.close();
        throw new Error(`explore: worker ${w} gave no answer for ${SILENCE_MS / 60_000} minutes`);
      }
    }
  }

  /** Files an expansion of `ids` (in that order) into the level's chunks. */
  private file(level: Level, ids: ReadonlyArray<number>, out: Expansion, worker: number, seq: number): void {
    const n = this.invariants.length;
    let t = 0;
    ids.forEach((id, i) => {
      const successors: Successor[] = [];
      for (let a = 0; a < out.counts[i]!; a++, t++)
        successors.push({
          key: out.keys[t]!,
          worker,
          seq,
          slot: t,
          state: worker < 0 ? out.states[t]! : null,
          violated: out.violated[t]!,
          exercised: out.exercised.slice(t * n, (t + 1) * n),
          bug: out.bugs[t]!,
        });
      const c = Math.floor(level.position.get(id)! / CHUNK);
      const chunk = (level.chunks[c] ??= new Map()) as Map<number, Expanded>;
      chunk.set(id, { successors, bug: out.stateBugs[i]! });
    });
  }
}
