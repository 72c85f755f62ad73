/**
 * The search's replay and shrinking, on vma-p2p-map: rerun plays design
 * moves from the initial world and stops at the first violation;
 * minimize drops every move the violation does not need.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { invariantById } from '../../properties/registry.ts';
import { ViolationFound, minimize, rerun } from '../../properties/search.ts';

const design = designById('vma-p2p-map')!;
const templates = [...design.driver, ...design.environment];
const move = (prefix: string) => ({ template: templates.find((t) => t.name.startsWith(prefix))!, choice: 0 });
const lifetime = [invariantById('map-within-vma-lifetime')];
const VMA_DIED = 'vma 1 was destroyed while mapping 3 (p2p_map for device 1) still holds DMA addresses of its BAR window';

describe('rerun and minimize', () => {
  it('mmap_bar twice, import (p2p_map, device_program) of the first, munmap: the VMA dies under the mapping', () => {
    const r = rerun(design, lifetime, [move('mmap_bar'), move('mmap_bar'), move('import'), move('munmap')]);
    expect(r).toBeInstanceOf(ViolationFound);
    expect(r?.message).toBe(`map-within-vma-lifetime: ${VMA_DIED}`);
    expect(r?.trace.map((t) => t.op.kind)).toEqual(['mmap', 'mmap', 'p2p_map', 'device_program', 'munmap']);
  });

  it('minimize drops the second mmap_bar: mmap, p2p_map, device_program, munmap', () => {
    const r = rerun(design, lifetime, [move('mmap_bar'), move('mmap_bar'), move('import'), move('munmap')])!;
    const m = minimize(design, lifetime, r);
    expect(m.moves.map((x) => x.template.name)).toEqual(['mmap_bar', 'import(p2p_map, device_program)', 'munmap']);
    expect(m.trace.map((t) => t.op.kind)).toEqual(['mmap', 'p2p_map', 'device_program', 'munmap']);
    expect(m.violation.message).toBe('vma 1 was destroyed while mapping 2 (p2p_map for device 1) still holds DMA addresses of its BAR window');
  });

  it('an error that is not a violation (here thrown by an invariant) leaves rerun as thrown, not as a result', () => {
    const broken = { ...lifetime[0]!, exercised: () => { throw new RangeError('broken invariant'); } };
    expect(() => rerun(design, [broken], [move('mmap_bar')])).toThrow(new RangeError('broken invariant'));
  });

  it('munmap of a BAR nobody imported violates nothing', () => {
    expect(rerun(design, lifetime, [move('mmap_bar'), move('munmap')])).toBeNull();
  });
});
