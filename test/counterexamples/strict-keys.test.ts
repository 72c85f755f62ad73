/**
 * The strict walk that finds a key a counterexample file does not declare
 * (a misspelt `npages` of munmap, a field of `found` the format does not
 * have), over the io-ts shapes the format and the op arguments use.
 */
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { opArgs } from '../../model/op.ts';
import { FoundCodec } from '../../properties/counterexample/format.ts';
import { declared, extraKey } from '../../properties/counterexample/strict.ts';

describe('unknown keys in a counterexample file', () => {
  it('munmap args with a misspelt npages: the misspelt key is found', () => {
    expect(extraKey(opArgs.munmap, { mm: 0, start: 0, npages: 1, npage: 1 })).toStrictEqual({ at: '', key: 'npage' });
  });

  it('found with an unknown field, under a readonly intersection', () => {
    expect(extraKey(FoundCodec, { by: 'x', date: 'd', sede: 1 }, 'found')).toStrictEqual({ at: 'found', key: 'sede' });
  });

  it('an intersection with a member that is no object has no fixed fields', () => {
    expect(declared(t.intersection([t.type({ mm: t.number }), t.string]))).toBeNull();
    expect(Object.keys(declared(t.intersection([t.type({ mm: t.number }), t.partial({ npages: t.number })]))!)).toStrictEqual(['mm', 'npages']);
  });

  it('a string or null where an object codec is walked has no keys', () => {
    const steps = t.type({ mm: t.number });
    expect(extraKey(steps, 'mm')).toBeNull();
    expect(extraKey(steps, null)).toBeNull();
  });

  it('a readonly array of steps is walked item by item', () => {
    expect(extraKey(t.readonly(t.array(t.type({ op: t.string }))), [{ op: 'munmap' }, { op: 'mmap', arg: 1 }], 'steps')).toStrictEqual({ at: 'steps[1]', key: 'arg' });
  });

  it('a value no member of a union decodes has no extra key to name', () => {
    expect(extraKey(t.union([t.type({ kind: t.literal('anon') }), t.type({ kind: t.literal('bar'), bar: t.number })]), { kind: 'file', inode: 1 })).toBeNull();
  });
});
