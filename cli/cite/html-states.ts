/**
 * The data behind the HTML viewer: the counterexample replayed step by
 * step with the model, the state after each step as plain JSON, and what
 * each step created, changed or removed.
 *
 * The state is turned into JSON generically: every top-level field of
 * `State` becomes a *section* of keyed items (a Map by its keys, an array
 * by each element's `id` or `pfn`, anything else as one item). A field the
 * model gains later is carried without a change here; the page draws the
 * sections it knows and lists the others as they are.
 */
import { shellLine } from './shell.ts';
import * as E from 'fp-ts/lib/Either.js';
import { rejectionMessage } from '../../model/result.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { makeWorld } from '../../model/world.ts';
import type { Citation } from '../../properties/counterexample/cite.ts';
import type { Counterexample } from '../../properties/counterexample/load.ts';

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json };

/** What the step did to an item: created it, changed some of its fields, removed it, or nothing. */
export type Mark = 'new' | 'changed' | 'removed' | 'same';

export interface Item {
  readonly key: string;
  readonly value: Json;
  readonly mark: Mark;
  /** For a changed object: the fields whose value differs from the step before. */
  readonly fields: ReadonlyArray<string>;
}

/** Section name (a top-level field of `State`) -> its items, in the model's order. */
export type Snapshot = Readonly<Record<string, ReadonlyArray<Item>>>;

export interface ViewStep {
  /** 0 is the initial state, then the 1-based step number. */
  readonly n: number;
  readonly call: string;
  readonly effects: ReadonlyArray<string>;
  /** The invariant's message at the violating step, else null. */
  readonly violation: string | null;
  /** The model refused this step (the file no longer replays): why. */
  readonly rejected: string | null;
  /** The state after the step; null once a step was refused. */
  readonly state: Snapshot | null;
  /** The driver thread that made the step (`thread 3`), or null: the process, the kernel or a device. */
  readonly lane: number | null;
}

export interface ViewData {
  readonly id: string;
  readonly title: string | null;
  readonly design: string;
  readonly invariant: string;
  readonly violatesAt: number;
  readonly violation: string | null;
  readonly replay: string;
  readonly steps: ReadonlyArray<ViewStep>;
  /** The driver threads of the trace and their steps (properties/counterexample/threads.ts). */
  readonly threads: Citation['threads'];
  /** The earlier steps the violation needed (properties/counterexample/causes.ts). */
  readonly causes: Citation['causes'];
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => v !== null && typeof v === 'object';

/**
 * The JSON of each model object, kept while the object lives: the state is
 * immutable and a step copies only what it changes, so an object a step
 * left alone is the same object after it, and its JSON is not built again
 * (nor compared field by field: `same` sees the identical value first).
 */
const built = new WeakMap<object, Json>();

/** Plain JSON of any model value: Maps become arrays of their values. */
export const toJson = (v: unknown): Json => {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v !== 'object') return String(v);
  const kept = built.get(v);
  if (kept !== undefined) return kept;
  const json: Json = v instanceof Map ? [...v.values()].map(toJson) : Array.isArray(v) ? v.map(toJson) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  built.set(v, json);
  return json;
};

const keyOf = (v: unknown, index: number): string => {
  if (isRecord(v)) {
    if (typeof v.id === 'number' || typeof v.id === 'string') return String(v.id);
    if (typeof v.pfn === 'number') return String(v.pfn);
    // A driver's record: one per device and mapping.
    if (typeof v.device === 'number' && typeof v.mapping === 'number') return `${v.device}:${v.mapping}`;
  }
  return String(index);
};

type Raw = ReadonlyArray<{ readonly key: string; readonly value: Json }>;

const rawSection = (v: unknown): Raw => {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => ({ key: String(k), value: toJson(x) }));
  if (Array.isArray(v)) return v.map((x, i) => ({ key: keyOf(x, i), value: toJson(x) }));
  return [{ key: '', value: toJson(v) }];
};

const rawSnapshot = (s: State): Readonly<Record<string, Raw>> =>
  Object.fromEntries(Object.entries(s).map(([name, v]) => [name, rawSection(v)]));

const same = (a: Json | undefined, b: Json | undefined): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

const changedFields = (before: Json, after: Json): ReadonlyArray<string> => {
  if (!isRecord(before) || !isRecord(after) || Array.isArray(before) || Array.isArray(after)) return [];
  const b = before as Readonly<Record<string, Json>>;
  const a = after as Readonly<Record<string, Json>>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !same(b[k], a[k]));
};

/** One unchanged item per value and key, however many steps leave it alone (a long trace over a big state would make one a step). */
const unchangedItems = new WeakMap<object, Item>();
const unchanged = (x: { readonly key: string; readonly value: Json }): Item => {
  if (x.value === null || typeof x.value !== 'object') return { ...x, mark: 'same', fields: [] };
  const kept = unchangedItems.get(x.value);
  if (kept !== undefined && kept.key === x.key) return kept;
  const item: Item = { ...x, mark: 'same', fields: [] };
  unchangedItems.set(x.value, item);
  return item;
};

/** Mark every item of `after` against `before`; items `before` had and `after` lacks come last, marked removed. */
export const diffSnapshot = (before: Readonly<Record<string, Raw>> | null, after: Readonly<Record<string, Raw>>): Snapshot => {
  const names = [...new Set([...Object.keys(after), ...Object.keys(before ?? {})])];
  return Object.fromEntries(
    names.map((name) => {
      const now = after[name] ?? [];
      if (before === null) return [name, now.map((x) => ({ ...x, mark: 'same' as const, fields: [] }))];
      const was = new Map((before[name] ?? []).map((x) => [x.key, x.value]));
      const keys = new Set(now.map((x) => x.key));
      const items: Item[] = now.map((x) => {
        const old = was.get(x.key);
        if (old === undefined) return { ...x, mark: 'new', fields: [] };
        return same(old, x.value) ? unchanged(x) : { ...x, mark: 'changed', fields: changedFields(old, x.value) };
      });
      for (const [key, value] of was) if (!keys.has(key)) items.push({ key, value, mark: 'removed', fields: [] });
      return [name, items];
    }),
  );
};

/** What a step changed in one section, as the page carries it (html-decode.ts rebuilds the snapshot). */
export interface SectionChanges {
  readonly put: ReadonlyArray<Item>;
  readonly removed: ReadonlyArray<string>;
  readonly order?: ReadonlyArray<string>;
}

/** A step as the page embeds it: its changes in place of its whole state. */
export type EmbeddedStep = Omit<ViewStep, 'state'> & { readonly changes: Readonly<Record<string, SectionChanges>> | null; readonly sections?: ReadonlyArray<string> };

/** `snap` (marked against the step before, whose snapshot is `prev`) as the changes the page carries. */
export const encodeChanges = (prev: Snapshot | null, snap: Snapshot): { readonly changes: Readonly<Record<string, SectionChanges>>; readonly sections?: ReadonlyArray<string> } => {
  const names = Object.keys(snap);
  const changes: Record<string, SectionChanges> = {};
  for (const name of names) {
    const items = snap[name]!;
    const put: Item[] = [];
    const removed: string[] = [];
    const after: string[] = [];
    for (const x of items) {
      if (x.mark === 'removed') removed.push(x.key);
      else after.push(x.key);
      if (prev === null || x.mark === 'new' || x.mark === 'changed') put.push(x);
    }
    if (put.length === 0 && removed.length === 0) continue;
    // The order the page rebuilds without being told: the keys before, less the removed ones, then the new ones.
    const gone = new Set(removed);
    const expected: string[] = [];
    const had = new Set<string>();
    for (const x of prev?.[name] ?? [])
      if (x.mark !== 'removed') {
        had.add(x.key);
        if (!gone.has(x.key)) expected.push(x.key);
      }
    for (const x of put) if (!had.has(x.key)) expected.push(x.key);
    const inOrder = after.length === expected.length && after.every((k, i) => k === expected[i]);
    changes[name] = { put, removed, ...(inOrder ? {} : { order: after }) };
  }
  const was = prev === null ? null : Object.keys(prev);
  const sameSections = was !== null && was.length === names.length && was.every((n, i) => n === names[i]);
  return { changes, ...(sameSections ? {} : { sections: names }) };
};

/** The steps as the page embeds them: the first state whole, then each step's changes. */
export const encodeSteps = (steps: ReadonlyArray<ViewStep>): ReadonlyArray<EmbeddedStep> => {
  let prev: Snapshot | null = null;
  return steps.map(({ state, ...rest }) => {
    if (state === null) return { ...rest, changes: null };
    const encoded = encodeChanges(prev, state);
    prev = state;
    return { ...rest, ...encoded };
  });
};

/**
 * The most state an HTML page embeds (the first state whole, then what
 * each step changed). A page over it is refused with one line; the text
 * and markdown reports have no such cost. Before the page carried only
 * changes, a trace of a thousand forks of a 1024-page mapping (a 30 KB
 * file within every limit of the format) made gigabytes of it.
 */
export const MAX_PAGE_STATE_BYTES = 32 * 2 ** 20;

const sizeText = (bytes: number): string => (bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${Math.round(bytes / 2 ** 10)} KiB`);

/** Replay `cx` with the model and collect the view of every step (0 = the design's initial state). */
export const viewOf = (cx: Counterexample, c: Citation): ViewData => {
  const v = viewWithin(cx, c, Number.POSITIVE_INFINITY);
  // Stryker disable next-line ConditionalExpression: no budget is ever exceeded without a limit
  if (E.isLeft(v)) throw new Error(v.left);
  return v.right;
};

/** viewOf, refused (the reason) as soon as the states it embeds pass `maxBytes` of JSON. */
export const viewWithin = (cx: Counterexample, c: Citation, maxBytes: number): E.Either<string, ViewData> => {
  let state = makeWorld(cx.design.world);
  let raw = rawSnapshot(state);
  const steps: ViewStep[] = [{ n: 0, call: 'initial state', effects: [], violation: null, rejected: null, state: diffSnapshot(null, raw), lane: null }];
  // What the page will carry: the first state whole, then each step's changes (encodeSteps).
  let bytes = Number.isFinite(maxBytes) ? JSON.stringify(encodeChanges(null, steps[0]!.state!)).length : 0;
  let shown = steps[0]!.state!;
  let refused = false;
  for (const [i, op] of cx.ops.entries()) {
    if (bytes > maxBytes)
      return E.left(`the page would embed over ${sizeText(maxBytes)} of state by step ${i} of ${cx.ops.length} (the first state and every step's changes go into it): use --format text or markdown`);
    const cited = c.steps[i]!;
    const base = { n: i + 1, call: cited.call, effects: cited.effects, violation: i + 1 === c.violatesAt ? c.violation : null, lane: op.by ?? null };
    if (refused) {
      steps.push({ ...base, rejected: null, state: null });
      continue;
    }
    const out = step(state, op);
    if (E.isLeft(out)) {
      refused = true;
      steps.push({ ...base, rejected: rejectionMessage(out.left), state: null });
      continue;
    }
    state = out.right.state;
    const next = rawSnapshot(state);
    const snapshot = diffSnapshot(raw, next);
    if (Number.isFinite(maxBytes)) bytes += JSON.stringify(encodeChanges(shown, snapshot)).length;
    shown = snapshot;
    steps.push({ ...base, rejected: null, state: snapshot });
    raw = next;
  }
  if (bytes > maxBytes) return E.left(`the page would embed over ${sizeText(maxBytes)} of state (the first state and every step's changes go into it): use --format text or markdown`);
  return E.right({
    id: c.id,
    title: c.title ?? null,
    design: c.design,
    invariant: c.invariant,
    violatesAt: c.violatesAt,
    violation: c.violation,
    replay: `${shellLine(c.replay)}${c.replayFile === undefined ? '' : `  (this report on standard input), or with the sender's file: ${shellLine(c.replayFile)}`}`,
    steps,
    threads: c.threads,
    causes: c.causes,
  });
};
