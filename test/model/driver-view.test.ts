/**
 * A driver reads only its own records and what the kernel hands it
 * (model/recipe.ts): the recipes of model/designs/importers/ are typed
 * against `DriverView` and the thread's locals, and this test keeps them
 * so. It reads their source: no recipe may import the `State` type or the
 * step runner, nor name one of the kernel's tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipes } from '../../model/designs/importers/index.ts';
import { driverView } from '../../model/recipe.ts';
import { designWorld, run } from './helpers.ts';

const DIR = 'model/designs/importers';

/** The fields of `State` that are the kernel's (or the device's) tables: no recipe names them. */
const KERNEL_TABLES = ['frames', 'bars', 'devices', 'inodes', 'mms', 'vmas', 'pageArrays', 'sgls', 'mappings', 'notifiers', 'invalidations', 'threads', 'deviceRanges', 'driverLocks', 'dmaBufs', 'attachments', 'jobs', 'sgtRecords', 'iovas', 'swap'];

/** What a recipe file must not contain, and why. */
const forbidden = (source: string): ReadonlyArray<string> => {
  const found: string[] = [];
  if (/import[^;]*\bState\b[^;]*from/.test(source)) found.push('imports the State type');
  if (/from '[^']*(step|kernel-step|page|queries)\.ts'/.test(source)) found.push('imports a module that reads or runs the state');
  for (const t of KERNEL_TABLES) if (new RegExp(`\\.${t}\\b`).test(source)) found.push(`names the kernel table .${t}`);
  return found;
};

describe("the importers' driver code sees only its own records and what the kernel hands it", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

  it('lists the recipe files', () => {
    expect(files.sort()).toEqual(['block-iova.ts', 'dmabuf-exporter.ts', 'dmabuf.ts', 'index.ts', 'invalidate.ts', 'map-path.ts', 'mirror.ts']);
  });

  for (const f of files)
    it(`${f} reads no global model table`, () => {
      expect(forbidden(readFileSync(join(DIR, f), 'utf8'))).toEqual([]);
    });

  it('the check catches a recipe that scans the kernel mapping table, imports the State, or finds a VMA itself', () => {
    expect(forbidden("const ms = [...s.mappings.values()].filter((m) => m.device === t.device);")).toEqual(['names the kernel table .mappings']);
    expect(forbidden("import type { DriverThread, State } from '../../state.ts';")).toEqual(['imports the State type']);
    expect(forbidden("import { findVma } from '../../page.ts';")).toEqual(['imports a module that reads or runs the state']);
  });

  it("a recipe's view of the state is its own device's records and notifiers only", () => {
    const { state: s1 } = run(
      designWorld('vma-p2p-map-notifier'),
      { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 },
      { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 0 },
    );
    const other = { device: 0, notifier: 3, mapping: 9, vma: 1, mm: 0, start: 0, end: 1 };
    const mine = { device: 1, notifier: 2, mapping: 8, vma: 1, mm: 0, start: 0, end: 1 };
    const otherSgt = { device: 0, attachment: 5, dmabuf: 4, mapping: 7, pinned: false };
    const mySgt = { device: 1, attachment: 6, dmabuf: 4, mapping: 10, pinned: true };
    const view = driverView({ ...s1, records: [other, mine], sgtRecords: [otherSgt, mySgt] }, 1);
    expect(view).toEqual({ device: 1, records: [mine], intervals: [{ notifier: 2, mm: 0, start: 0, end: 1 }], sgts: [mySgt] });
    expect(Object.keys(view).sort()).toEqual(['device', 'intervals', 'records', 'sgts']);
  });

  it('every registered recipe has a name, a summary, a listing and actions', () => {
    for (const r of recipes) {
      expect(r.summary.length, r.name).toBeGreaterThan(40);
      expect(r.listing.length, r.name).toBeGreaterThanOrEqual(2);
      expect(r.actions.every((a) => typeof a === 'function'), r.name).toBe(true);
    }
  });
});
