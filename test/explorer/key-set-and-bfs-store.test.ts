/**
 * The explorer's storage: the visited-key hash set (capacity, growth at
 * half load, membership under collisions, keys above 2**32) and the BFS
 * store's memory accounting.
 */
import { describe, expect, it } from 'vitest';
import { BfsStore, KeySet, hashKey } from '../../properties/explorer/store.ts';

describe('KeySet', () => {
  it('starts at the power of two that holds the requested capacity (16 at least, 4096 by default)', () => {
    expect(new KeySet().bytes).toBe(4096 * 8);
    expect(new KeySet(100).bytes).toBe(128 * 8);
    expect(new KeySet(128).bytes).toBe(128 * 8);
    expect(new KeySet(1).bytes).toBe(16 * 8);
  });

  it('doubles when more than half full: 8 keys fit in 16 slots, the 9th doubles them', () => {
    const s = new KeySet(16);
    for (let k = 0; k < 8; k++) expect(s.add(k * 7919)).toBe(true);
    expect([s.size, s.bytes]).toEqual([8, 16 * 8]);
    expect(s.add(8 * 7919)).toBe(true);
    expect([s.size, s.bytes]).toEqual([9, 32 * 8]);
    for (let k = 0; k <= 8; k++) expect(s.has(k * 7919)).toBe(true);
  });

  it('has() is false for every key never added, though half the slots are taken', () => {
    const s = new KeySet(16);
    for (let k = 0; k < 8; k++) s.add(k);
    for (let k = 8; k < 200; k++) expect(s.has(k), `key ${k}`).toBe(false);
    expect(s.add(3)).toBe(false);
  });

  it('keys that differ only above bit 32 hash apart', () => {
    expect(hashKey(1)).not.toBe(hashKey(1 + 2 ** 32));
    expect(hashKey(2 ** 40)).not.toBe(hashKey(0));
  });
});

describe('BfsStore', () => {
  it('counts parents (u32), actions (u8, or u16 when wide) and two key levels (f64)', () => {
    expect(new BfsStore(false, 16).bytes).toBe(16 * 4 + 16 + 2 * 16 * 8);
    expect(new BfsStore(true, 16).bytes).toBe(16 * 4 + 16 * 2 + 2 * 16 * 8);
  });
});
