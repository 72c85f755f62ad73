/**
 * Storage for the explorer: an open-addressing hash set of state keys and
 * the BFS store of parent pointers, in typed arrays that grow by doubling.
 *
 * Keys are non-negative integers below 2**53, so they are exact in a
 * float64. The set stores `key + 1`, which lets 0 mean "empty slot" (a fresh
 * Float64Array is all zeros, so no fill is needed).
 */

const TWO32 = 4294967296;

/** A 32-bit mix of a key < 2**53 (its low and high words, murmur3 finaliser). */
export const hashKey = (key: number): number => {
  let h = (key >>> 0) ^ Math.imul((key / TWO32) >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
};

/** Open-addressing (linear probing) set of keys; load factor at most 1/2. */
export class KeySet {
  private slots: Float64Array;
  private mask: number;
  private limit: number;
  size = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.slots = new Float64Array(cap);
    this.mask = cap - 1;
    this.limit = cap >>> 1;
  }

  /** Adds `key`; true if it was not there before. */
  add(key: number): boolean {
    const stored = key + 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = hashKey(key) & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) break;
      if (v === stored) return false;
      i = (i + 1) & mask;
    }
    slots[i] = stored;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  has(key: number): boolean {
    const stored = key + 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = hashKey(key) & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) return false;
      if (v === stored) return true;
      i = (i + 1) & mask;
    }
  }

  /** Bytes of the typed array currently allocated. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    const cap = old.length * 2;
    const slots = new Float64Array(cap);
    const mask = cap - 1;
    // Stryker disable next-line EqualityOperator: old[old.length] is undefined; it lands as one NaN slot that no key equals and the half-load limit leaves room for, so only probing gets longer
    for (let j = 0; j < old.length; j++) {
      const v = old[j]!;
      // Stryker disable next-line ConditionalExpression: an empty slot would be "re-inserted" as 0 into an empty slot of the new array: a no-op
      if (v === 0) continue;
      let i = hashKey(v - 1) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = v;
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = cap >>> 1;
  }
}

/**
 * The BFS store. Every visited state gets an index, in BFS order (0 is the
 * initial state), and keeps only its parent's index and the action taken
 * from it, enough to rebuild a trace. Keys are kept only for the level being
 * expanded (`cur`) and the one being discovered (`next`), since a state's
 * key is needed once, when it is expanded; the visited set has them all.
 * All arrays grow by doubling.
 */
export class BfsStore {
  parents: Uint32Array;
  actions: Uint8Array | Uint16Array;
  /** Number of states stored. */
  length = 0;
  /** Keys of the level being expanded; its first state has index `levelStart`. */
  cur: Float64Array;
  curLength = 0;
  levelStart = 0;
  /** Keys of the level being discovered. */
  next: Float64Array;
  nextLength = 0;

  constructor(private readonly wideActions: boolean, initialCapacity = 1 << 12) {
    this.parents = new Uint32Array(initialCapacity);
    this.actions = wideActions ? new Uint16Array(initialCapacity) : new Uint8Array(initialCapacity);
    this.cur = new Float64Array(initialCapacity);
    this.next = new Float64Array(initialCapacity);
  }

  /** Stores a new state of the next level. */
  push(key: number, parent: number, action: number): void {
    if (this.length === this.parents.length) this.growStates();
    if (this.nextLength === this.next.length) this.growNext();
    const n = this.length++;
    this.parents[n] = parent;
    this.actions[n] = action;
    this.next[this.nextLength++] = key;
  }

  /** Makes the discovered level the one to expand; false if it is empty. */
  advance(): boolean {
    this.levelStart += this.curLength;
    const t = this.cur;
    this.cur = this.next;
    this.curLength = this.nextLength;
    this.next = t;
    this.nextLength = 0;
    return this.curLength > 0;
  }

  /** Action indices from the initial state to state `index`. */
  trace(index: number): number[] {
    const out: number[] = [];
    let i = index;
    while (i !== 0) {
      out.push(this.actions[i]!);
      i = this.parents[i]!;
    }
    return out.reverse();
  }

  get bytes(): number {
    return this.parents.byteLength + this.actions.byteLength + this.cur.byteLength + this.next.byteLength;
  }

  private growStates(): void {
    const cap = this.parents.length * 2;
    const parents = new Uint32Array(cap);
    parents.set(this.parents);
    const actions = this.wideActions ? new Uint16Array(cap) : new Uint8Array(cap);
    actions.set(this.actions);
    this.parents = parents;
    this.actions = actions;
  }

  private growNext(): void {
    const next = new Float64Array(this.next.length * 2);
    next.set(this.next);
    this.next = next;
  }
}
