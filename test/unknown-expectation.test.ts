/**
 * Expected: unknown (issue 21). A design under review may expect neither a
 * violation nor a hold of an invariant: check, check --seeds and explore
 * report what they find for it without counting it either way, and the
 * table says what was found and how far the hold goes. The design here is
 * pin-swap-5.10 with two of its expectations made unknown: pin-coherent,
 * which the search and the explorer find violated, and isolation, which
 * holds (bounded for the search, over the complete world for the explorer).
 */
import { describe, expect, it, vi } from 'vitest';
import { differs, unknown } from '../model/designs/design.ts';
import { runCli } from './cli-in-process.ts';

vi.mock('../model/designs/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../model/designs/index.ts')>();
  const base = real.designById('pin-swap-5.10')!;
  const underReview = {
    ...base,
    id: 'under-review',
    expected: { ...base.expected, 'pin-coherent': unknown('Asked: does swap break the pin?'), isolation: unknown('Asked: can another process see the device write?') },
  };
  const designs = [...real.designs, underReview];
  return { ...real, designs, designById: (id: string) => designs.find((d) => d.id === id) };
});

describe('expected: unknown', () => {
  it('never differs from what is found; held and violated still differ from each other', () => {
    expect(differs('unknown', 'violated')).toBe(false);
    expect(differs('unknown', 'held')).toBe(false);
    expect(differs('held', 'violated')).toBe(true);
    expect(differs('violated', 'held')).toBe(true);
    expect(differs('violated', 'violated')).toBe(false);
  });

  it('check reports unknown -> violated and unknown -> held (bounded), and exits 0', () => {
    const r = runCli(...['check', '--design', 'under-review', '--invariant', 'pin-coherent', '--invariant', 'isolation', '--invariant', 'gup-release', '--runs', '2000', '--no-timing']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^under-review\s+pin-coherent\s+violated\s+unknown -> violated\s/m);
    expect(r.stdout).toMatch(/^under-review\s+isolation\s+held\s+unknown -> held \(bounded\)\s/m);
    expect(r.stdout).toMatch(/^under-review\s+gup-release\s+held\s+yes\s/m);
    // On a line of its own: the verdict count line reads as without unknowns (test/check-defaults-suite.ts matches it).
    expect(r.stdout).toMatch(/held \([0-9]+ vacuous\)\n2 expected unknown: 1 found violated, 1 held \(bounded\), not counted either way\n/);
    expect(r.stdout).toContain('none contradicts its design');
    expect(r.stdout).toContain('exit status 0: every verdict as its design expects (violations too), an unknown whatever it is');
  });

  it('check --json says expected unknown', () => {
    const r = runCli(...['check', '--design', 'under-review', '--invariant', 'pin-coherent', '--json', '--no-timing']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { results: { expected: string; verdict: string }[] }).results[0]).toMatchObject({ expected: 'unknown', verdict: 'violated' });
  });

  it('check --seeds counts an unknown as differing on no seed', () => {
    const r = runCli(...['check', '--design', 'under-review', '--invariant', 'pin-coherent', '--seeds', '1..2', '--no-timing']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^under-review\s+pin-coherent\s+unknown\s+2\/2\s.*unknown: violated on 2$/m);
  });

  it('explore reports unknown -> violated and unknown -> held (complete world) in the complete world, and exits 0', () => {
    const r = runCli(...['explore', '--design', 'under-review', '--invariant', 'pin-coherent', '--invariant', 'isolation', '--go-on', '--world', 'complete', '--no-timing']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^under-review\s+pin-coherent\s+violated: shortest trace .*\(unknown -> violated\)$/m);
    expect(r.stdout).toMatch(/^under-review\s+isolation\s+held: whole reachable space explored .*\(unknown -> held \(complete world\)\)$/m);
  });

  it("explore of another world that closes says so, not 'complete world'; its summary counts an unknown found violated as no surprise", () => {
    const r = runCli(...['explore', '--design', 'under-review', '--invariant', 'isolation', '--invariant', 'pin-coherent', '--go-on', '--set', 'ram-pages=1,vmas=1,mms=1,ios=1', '--no-timing']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^under-review\s+isolation\s+held: whole reachable space explored .*\(unknown -> held \(whole space of this world, not its complete world\)\)$/m);
    expect(r.stdout).not.toMatch(/not expected/);
  });

  it('explore within a bound says the hold is bounded', () => {
    const r = runCli(...['explore', '--design', 'under-review', '--invariant', 'isolation', '--max-states', '20', '--no-timing']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(unknown -> held \(bounded\)\)$/m);
  });
});
