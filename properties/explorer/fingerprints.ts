/**
 * Hash compaction, as SPIN's and TLC's fingerprint sets do it: a visited
 * state is kept as a 53-bit hash of its canonical key instead of the key
 * itself, in an open-addressing table of float64 fingerprints and int32
 * state ids (12 bytes a slot, at most half of the slots used). Two states
 * whose keys hash alike are taken for one, and the second is never
 * explored: the run says how likely that was (`collisionProbability`).
 * The exact mode (the keys themselves) stays the default for small runs.
 */

/** A 53-bit hash of `s` (two 32-bit multiply-xorshift lanes, folded; cyrb53's construction). */
export const fingerprint = (s: string): number => {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
};

/** Bits of a fingerprint. */
export const FINGERPRINT_BITS = 53;

/**
 * The chance that some two of `n` distinct states share a fingerprint, for
 * uniform hashes: about n(n-1)/2 over 2^53 (the birthday bound, which TLC
 * also prints, as its "optimistic" estimate).
 */
export const collisionProbability = (n: number): number => Math.min(1, (n * (n - 1)) / 2 / 2 ** FINGERPRINT_BITS);

export class FingerprintTable {
  private keys = new Float64Array(1 << 10);
  private ids = new Int32Array(1 << 10).fill(-1);
  size = 0;

  /** Bytes of the table itself. */
  get bytes(): number {
    return this.keys.byteLength + this.ids.byteLength;
  }

  /** The id `fp` already has, or `fresh` stored as its id (then returned as a new entry). */
  idOf(fp: number, fresh: number): { readonly id: number; readonly added: boolean } {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = fp % this.keys.length; ; i = (i + 1) & mask) {
      const id = this.ids[i]!;
      if (id === -1) {
        this.keys[i] = fp;
        this.ids[i] = fresh;
        this.size++;
        return { id: fresh, added: true };
      }
      if (this.keys[i] === fp) return { id, added: false };
    }
  }

  private grow(): void {
    const keys = this.keys;
    const ids = this.ids;
    this.keys = new Float64Array(keys.length * 2);
    this.ids = new Int32Array(ids.length * 2).fill(-1);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (ids[i]! !== -1) this.idOf(keys[i]!, ids[i]!);
  }
}
