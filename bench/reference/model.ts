/**
 * The reference model of the shared bench spec (reference-model.md): P RAM
 * pages in V VMAs, B BAR pages, M DMA-mapping slots, in the fixed or the
 * buggy design, on the explicit-state explorer.
 *
 * A state is a Float64Array: first the digits alive[V], pin[P], dirty[P],
 * dw[P], slot[M] (its key is their mixed-radix number), then facts derived
 * from them (`derive`). Two implementations of the transition relation
 * live side by side:
 * - `next`/`violations`: a literal transcription of the spec's table, which
 *   builds a new state per step (the engine's generic path);
 * - `successorKeys`/`stepViolations`: the fast path, which reads the derived
 *   facts and computes every successor key incrementally
 *   (key + change of each digit x its weight), allocating nothing.
 * The tests check that both give the spec's exact counts.
 */
import type { IncrementalModel } from '../../properties/explorer/engine.ts';

export interface ReferenceSize {
  readonly P: number;
  readonly V: number;
  readonly B: number;
  readonly M: number;
}

/** Parses "P-V-B-M", e.g. "6-3-2-4". */
export const parseSize = (text: string): ReferenceSize => {
  const m = /^(\d+)-(\d+)-(\d+)-(\d+)$/.exec(text);
  if (m === null) throw new Error(`size must be P-V-B-M, e.g. 6-3-2-4, not ${JSON.stringify(text)}`);
  const [P, V, B, M] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return { P, V, B, M };
};

export const formatSize = (z: ReferenceSize): string => `${z.P}-${z.V}-${z.B}-${z.M}`;

/** Action kinds, in the spec's group order. */
const K = { Mmap: 0, Munmap: 1, Pin: 2, DmaWrite: 3, SetDirty: 4, Unpin: 5, Writeback: 6, CpuTouch: 7, P2pMap: 8, P2pUnmap: 9 } as const;
type Kind = (typeof K)[keyof typeof K];
const KIND_NAMES = ['mmap', 'munmap', 'pin', 'dma_write', 'set_dirty', 'unpin', 'writeback', 'cpu_touch', 'p2p_map', 'p2p_unmap'];

const NONE: ReadonlyArray<string> = Object.freeze([]);
const I1: ReadonlyArray<string> = Object.freeze(['I1']);
const I2: ReadonlyArray<string> = Object.freeze(['I2']);
const I3: ReadonlyArray<string> = Object.freeze(['I3']);

/** Digits, then derived facts; see `ReferenceModel.derive`. Only states made by the model are valid. */
export type RefState = Float64Array;

/** Per-VMA derived facts, at oVma + STRIDE*v + field. */
const STRIDE = 7;
const MAPPED = 0; // number of slots holding a RAM mapping of v
const PINS_ZERO = 1; // 1 iff every page of v has pin 0
const PINS_BELOW_2 = 2; // 1 iff every page of v has pin < 2
const DW_CLEAN = 3; // 1 iff some page of v has dw = 1 and dirty = 0
const DW_DELTA = 4; // key change of dma_write on v
const DIRTY_DELTA = 5; // key change of set_dirty on v
const UNPIN_DELTA = 6; // key change of unpin on v, without the slot reset

export class ReferenceModel implements IncrementalModel<RefState> {
  readonly actionCount: number;
  readonly P: number;
  readonly V: number;
  readonly B: number;
  readonly M: number;
  readonly buggy: boolean;
  /** Digit offsets (alive[] is at 0). */
  private readonly oPin: number;
  private readonly oDirty: number;
  private readonly oDw: number;
  private readonly oSlot: number;
  private readonly digits: number;
  /** Derived facts: lowest empty slot (-1 if none), bitmask of mapped BAR pages, per-VMA block. */
  private readonly oEmpty: number;
  private readonly oBars: number;
  private readonly oVma: number;
  private readonly radix: Int32Array;
  private readonly weight: Float64Array;
  /** Pages of VMA v are firstPage[v] .. firstPage[v+1]-1 (contiguous since vma(p) is monotone). */
  private readonly firstPage: Int32Array;
  /** Sum of the pin weights of the pages of v. */
  private readonly pinWeight: Float64Array;
  private readonly kind: Int32Array;
  private readonly arg: Int32Array;
  /** Slot value of a BAR mapping of page 0: 1 + 2V. */
  private readonly bar0: number;
  private readonly tmp: Float64Array;
  private readonly pageLists: ReadonlyArray<ReadonlyArray<number>>;

  constructor(size: ReferenceSize, buggy = false) {
    const { P, V, B, M } = size;
    for (const [k, x] of Object.entries(size)) {
      if (!Number.isInteger(x) || x < 0) throw new Error(`${k} must be a non-negative integer`);
    }
    if (V < 1 || P < V) throw new Error('need 1 <= V <= P');
    if (B > 30) throw new Error('at most 30 BAR pages');
    this.P = P;
    this.V = V;
    this.B = B;
    this.M = M;
    this.buggy = buggy;
    this.bar0 = 1 + 2 * V;
    this.oPin = V;
    this.oDirty = V + P;
    this.oDw = V + 2 * P;
    this.oSlot = V + 3 * P;
    this.digits = V + 3 * P + M;
    this.oEmpty = this.digits;
    this.oBars = this.digits + 1;
    this.oVma = this.digits + 2;
    this.radix = new Int32Array(this.digits);
    for (let i = 0; i < this.digits; i++) {
      this.radix[i] = i < this.oPin ? 2 : i < this.oDirty ? 3 : i < this.oSlot ? 2 : 1 + 2 * V + B;
    }
    this.weight = new Float64Array(this.digits);
    let w = 1;
    for (let i = 0; i < this.digits; i++) {
      this.weight[i] = w;
      w *= this.radix[i]!;
    }
    if (w > 2 ** 53) throw new Error(`size ${formatSize(size)} has ${w} key values, more than 2**53`);
    this.firstPage = new Int32Array(V + 1);
    this.firstPage[V] = P;
    for (let p = P - 1; p >= 0; p--) this.firstPage[Math.floor((p * V) / P)] = p;
    this.pinWeight = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      if (this.firstPage[v]! >= this.firstPage[v + 1]!) throw new Error(`VMA ${v} has no page`);
      for (let p = this.firstPage[v]!; p < this.firstPage[v + 1]!; p++) this.pinWeight[v]! += this.weight[this.oPin + p]!;
    }
    const kind: number[] = [];
    const arg: number[] = [];
    const group = (k: Kind, n: number): void => {
      for (let i = 0; i < n; i++) {
        kind.push(k);
        arg.push(i);
      }
    };
    group(K.Mmap, V);
    group(K.Munmap, V);
    group(K.Pin, 2 * V); // arg = 2v + dir: v outer, dir inner
    group(K.DmaWrite, M);
    group(K.SetDirty, M);
    group(K.Unpin, M);
    group(K.Writeback, P);
    group(K.CpuTouch, M);
    group(K.P2pMap, B);
    group(K.P2pUnmap, M);
    this.kind = Int32Array.from(kind);
    this.arg = Int32Array.from(arg);
    this.actionCount = kind.length;
    this.tmp = new Float64Array(this.actionCount);
    this.pageLists = Array.from({ length: V }, (_, v) => Array.from({ length: P }, (_, p) => p).filter((p) => Math.floor((p * V) / P) === v));
  }

  actionName(action: number): string {
    const k = this.kind[action];
    const a = this.arg[action];
    if (k === undefined || a === undefined) return `?${action}`;
    return k === K.Pin ? `pin(${a >> 1},${a & 1})` : `${KIND_NAMES[k]}(${a})`;
  }

  /** The VMA of RAM slot value x. */
  private static vmaOf(x: number): number {
    return (x - 1) >> 1;
  }

  scratch(): RefState {
    return new Float64Array(this.oVma + STRIDE * this.V);
  }

  initial(): RefState {
    const s = this.scratch();
    this.derive(s);
    return s;
  }

  encode(s: RefState): number {
    let k = 0;
    for (let i = 0; i < this.digits; i++) k += s[i]! * this.weight[i]!;
    return k;
  }

  decodeInto(key: number, s: RefState): void {
    const radix = this.radix;
    const n = this.digits;
    let k = key;
    for (let i = 0; i < n; i++) {
      const r = radix[i]!;
      const q = Math.floor(k / r);
      s[i] = k - q * r;
      k = q;
    }
    this.derive(s);
  }

  decode(key: number): RefState {
    const s = this.scratch();
    this.decodeInto(key, s);
    return s;
  }

  /** Fills the derived facts of `s` from its digits. */
  private derive(s: RefState): void {
    const { oPin, oDirty, oDw, oSlot, oVma, weight, firstPage } = this;
    let empty = -1;
    let bars = 0;
    for (let v = 0; v < this.V; v++) s[oVma + STRIDE * v + MAPPED] = 0;
    for (let m = 0; m < this.M; m++) {
      const x = s[oSlot + m]!;
      if (x === 0) {
        if (empty < 0) empty = m;
      } else if (x >= this.bar0) bars |= 1 << (x - this.bar0);
      else s[oVma + STRIDE * ReferenceModel.vmaOf(x) + MAPPED]!++;
    }
    s[this.oEmpty] = empty;
    s[this.oBars] = bars;
    for (let v = 0; v < this.V; v++) {
      let zero = 1;
      let below2 = 1;
      let dwClean = 0;
      let dwDelta = 0;
      let dirtyDelta = 0;
      let unpinDelta = -this.pinWeight[v]!;
      for (let p = firstPage[v]!; p < firstPage[v + 1]!; p++) {
        const pin = s[oPin + p]!;
        const dw = s[oDw + p]!;
        const dirty = s[oDirty + p]!;
        if (pin !== 0) zero = 0;
        if (pin >= 2) below2 = 0;
        if (dw === 1 && dirty === 0) dwClean = 1;
        if (dw === 0) dwDelta += weight[oDw + p]!;
        if (dirty === 0) dirtyDelta += weight[oDirty + p]!;
        if (pin === 1 && dw === 1) unpinDelta -= weight[oDw + p]!;
      }
      const o = oVma + STRIDE * v;
      s[o + PINS_ZERO] = zero;
      s[o + PINS_BELOW_2] = below2;
      s[o + DW_CLEAN] = dwClean;
      s[o + DW_DELTA] = dwDelta;
      s[o + DIRTY_DELTA] = dirtyDelta;
      s[o + UNPIN_DELTA] = unpinDelta;
    }
  }

  // ---- The spec's table, transcribed literally (generic path) ----

  private pages(v: number): ReadonlyArray<number> {
    return this.pageLists[v] ?? [];
  }

  private slots(s: RefState): number[] {
    return Array.from(s.subarray(this.oSlot, this.oSlot + this.M));
  }

  private isRam(x: number): boolean {
    return x >= 1 && x <= 2 * this.V;
  }

  private holdsRamOf(s: RefState, v: number): boolean {
    return this.slots(s).some((x) => this.isRam(x) && ReferenceModel.vmaOf(x) === v);
  }

  next(s: RefState, action: number): RefState | null {
    const a = this.arg[action]!;
    const t = s.slice();
    const { oPin: pin, oDirty: dirty, oDw: dw, oSlot: slot } = this;
    const lowestEmpty = this.slots(s).indexOf(0);
    const x = s[slot + a]!; // the slot, for the actions that take one
    const ramVma = ReferenceModel.vmaOf(x);
    switch (this.kind[action]!) {
      case K.Mmap:
        if (s[a] !== 0 || this.pages(a).some((p) => s[pin + p] !== 0)) return null;
        t[a] = 1;
        break;
      case K.Munmap:
        if (s[a] !== 1 || (!this.buggy && this.holdsRamOf(s, a))) return null;
        t[a] = 0;
        break;
      case K.Pin: {
        const v = a >> 1;
        if (s[v] !== 1 || lowestEmpty < 0 || this.pages(v).some((p) => s[pin + p]! >= 2)) return null;
        t[slot + lowestEmpty] = 1 + a; // 1 + 2v + dir
        for (const p of this.pages(v)) t[pin + p]!++;
        break;
      }
      case K.DmaWrite:
        if (!this.isRam(x) || ((x - 1) & 1) !== 1) return null;
        for (const p of this.pages(ramVma)) t[dw + p] = 1;
        break;
      case K.SetDirty:
        if (!this.isRam(x)) return null;
        for (const p of this.pages(ramVma)) t[dirty + p] = 1;
        break;
      case K.Unpin:
        if (!this.isRam(x)) return null;
        if (!this.buggy && !this.pages(ramVma).every((p) => s[dw + p] === 0 || s[dirty + p] === 1)) return null;
        for (const p of this.pages(ramVma)) {
          t[pin + p]!--;
          if (t[pin + p] === 0) t[dw + p] = 0;
        }
        t[slot + a] = 0;
        break;
      case K.Writeback:
        if (s[dirty + a] !== 1 || (!this.buggy && s[pin + a] !== 0)) return null;
        t[dirty + a] = 0;
        break;
      case K.CpuTouch:
        if (this.buggy ? x === 0 : !this.isRam(x)) return null;
        break;
      case K.P2pMap:
        if (lowestEmpty < 0 || this.slots(s).includes(this.bar0 + a)) return null;
        t[slot + lowestEmpty] = this.bar0 + a;
        break;
      case K.P2pUnmap:
        if (x <= 2 * this.V) return null;
        t[slot + a] = 0;
        break;
      default:
        throw new Error(`unknown action ${action}`);
    }
    this.derive(t);
    return t;
  }

  violations(s: RefState, action: number, t: RefState): ReadonlyArray<string> {
    const a = this.arg[action]!;
    const x = s[this.oSlot + a]!;
    switch (this.kind[action]!) {
      case K.CpuTouch:
        return x > 2 * this.V ? I1 : NONE;
      case K.Munmap:
        return this.holdsRamOf(t, a) ? I2 : NONE; // after the step
      case K.Unpin:
        return this.pages(ReferenceModel.vmaOf(x)).some((p) => s[this.oDw + p] === 1 && s[this.oDirty + p] === 0) ? I3 : NONE;
      default:
        return NONE;
    }
  }

  // ---- Fast path: every successor key from the derived facts ----

  successorKeys(key: number, s: RefState, out: Float64Array): void {
    const { V, M, P, oPin, oDirty, oSlot, oVma, weight, bar0, buggy } = this;
    const empty = s[this.oEmpty]!;
    const bars = s[this.oBars]!;
    const wEmpty = empty >= 0 ? weight[oSlot + empty]! : 0;
    let a = 0;
    for (let v = 0; v < V; v++) out[a++] = s[v] === 0 && s[oVma + STRIDE * v + PINS_ZERO] === 1 ? key + weight[v]! : -1;
    for (let v = 0; v < V; v++) out[a++] = s[v] === 1 && (buggy || s[oVma + STRIDE * v + MAPPED] === 0) ? key - weight[v]! : -1;
    for (let v = 0; v < V; v++) {
      const ok = s[v] === 1 && empty >= 0 && s[oVma + STRIDE * v + PINS_BELOW_2] === 1;
      const k = key + this.pinWeight[v]! + (1 + 2 * v) * wEmpty;
      out[a++] = ok ? k : -1;
      out[a++] = ok ? k + wEmpty : -1;
    }
    for (let m = 0; m < M; m++) {
      const x = s[oSlot + m]!;
      out[a++] = x !== 0 && x < bar0 && (x & 1) === 0 ? key + s[oVma + STRIDE * ((x - 1) >> 1) + DW_DELTA]! : -1;
    }
    for (let m = 0; m < M; m++) {
      const x = s[oSlot + m]!;
      out[a++] = x !== 0 && x < bar0 ? key + s[oVma + STRIDE * ((x - 1) >> 1) + DIRTY_DELTA]! : -1;
    }
    for (let m = 0; m < M; m++) {
      const x = s[oSlot + m]!;
      const o = oVma + STRIDE * ((x - 1) >> 1);
      out[a++] = x !== 0 && x < bar0 && (buggy || s[o + DW_CLEAN] === 0) ? key + s[o + UNPIN_DELTA]! - x * weight[oSlot + m]! : -1;
    }
    for (let p = 0; p < P; p++) out[a++] = s[oDirty + p] === 1 && (buggy || s[oPin + p] === 0) ? key - weight[oDirty + p]! : -1;
    for (let m = 0; m < M; m++) {
      const x = s[oSlot + m]!;
      out[a++] = x !== 0 && (buggy || x < bar0) ? key : -1;
    }
    for (let b = 0; b < this.B; b++) out[a++] = empty >= 0 && (bars & (1 << b)) === 0 ? key + (bar0 + b) * wEmpty : -1;
    for (let m = 0; m < M; m++) {
      const x = s[oSlot + m]!;
      out[a++] = x >= bar0 ? key - x * weight[oSlot + m]! : -1;
    }
  }

  nextKey(key: number, s: RefState, action: number): number {
    this.successorKeys(key, s, this.tmp);
    return this.tmp[action]!;
  }

  mayViolate(action: number): boolean {
    const k = this.kind[action];
    return k === K.CpuTouch || k === K.Munmap || k === K.Unpin;
  }

  /** I1, I2 (munmap leaves the slots alone, so "after the step" reads the pre-state) and I3, from the derived facts. */
  stepViolations(s: RefState, action: number): ReadonlyArray<string> {
    const a = this.arg[action]!;
    switch (this.kind[action]!) {
      case K.CpuTouch:
        return s[this.oSlot + a]! >= this.bar0 ? I1 : NONE;
      case K.Munmap:
        return s[this.oVma + STRIDE * a + MAPPED]! > 0 ? I2 : NONE;
      case K.Unpin:
        return s[this.oVma + STRIDE * ((s[this.oSlot + a]! - 1) >> 1) + DW_CLEAN] === 1 ? I3 : NONE;
      default:
        return NONE;
    }
  }
}
