/** One printed call read back into `{ op, args }`, and the exact line for what is not a call. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCall } from '../../properties/counterexample/call.ts';

const ok = (text: string) => {
  const r = parseCall(text);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};
const error = (text: string): string => {
  const r = parseCall(text);
  if (E.isRight(r)) throw new Error(`accepted: ${JSON.stringify(r.right)}`);
  return r.left;
};

describe('parseCall reads a call as the trace prints it', () => {
  it('numbers, booleans, tagged objects and untagged braces, each read as its op\'s codec wants', () => {
    expect(ok('mmap(mm=0, npages=2, backing=file(inode=1))')).toEqual({ op: 'mmap', args: { mm: 0, npages: 2, backing: { kind: 'file', inode: 1 } } });
    expect(ok('mmap(mm=0, npages=1, backing=anon)')).toEqual({ op: 'mmap', args: { mm: 0, npages: 1, backing: { kind: 'anon' } } });
    expect(ok('p2p_map(vma=1, dev=1, write=true)')).toEqual({ op: 'p2p_map', args: { vma: 1, dev: 1, write: true } });
    expect(ok('p2p_map(vma=1, dev=1, write=false)')).toEqual({ op: 'p2p_map', args: { vma: 1, dev: 1, write: false } });
    expect(ok('driver_return(dev=1, err=-EFAULT, by=3)')).toEqual({ op: 'driver_return', args: { dev: 1, err: '-EFAULT', by: 3 } });
    expect(ok('sg_free_table()')).toEqual({ op: 'sg_free_table', args: {} });
    expect(ok('dma_map_sg(dev=-1, sgl=3, dir=from-device)')).toEqual({ op: 'dma_map_sg', args: { dev: -1, sgl: 3, dir: 'from-device' } });
  });

  it('blanks anywhere, even inside a word, do not matter', () => {
    expect(ok('  mun map( mm = 0 ,\n start=0, np ages=1 ) ')).toEqual({ op: 'munmap', args: { mm: 0, start: 0, npages: 1 } });
  });

  it('an unknown op or argument takes the most natural reading of each value', () => {
    expect(ok('no_such_op(a=1, b=true, c=word, d=x(y=2), e={f=3})')).toEqual({
      op: 'no_such_op',
      args: { a: 1, b: true, c: 'word', d: { kind: 'x', y: 2 }, e: { f: 3 } },
    });
    expect(ok('munmap(mm=0, start=0, npages=1, extra=7)')).toEqual({ op: 'munmap', args: { mm: 0, start: 0, npages: 1, extra: 7 } });
    expect(ok('x(n=9007199254740993)')).toEqual({ op: 'x', args: { n: '9007199254740993' } });
  });

  it('says what it expected, and where', () => {
    expect(error('(mm=0)')).toBe("expected an operation name 'op(args)', got '(mm=0)'");
    expect(error('munmap')).toBe("expected '(' after 'munmap', got the end");
    expect(error('munmap(mm)')).toBe("expected '=' after 'mm', got ')'");
    expect(error('munmap(mm=0')).toBe("expected ',' or ')', got the end");
    expect(error('munmap(mm=0;start=1)')).toBe("expected ',' or ')', got '=1)'");
    expect(error('munmap(mm=0,mm=1)')).toBe("argument 'mm' given twice");
    expect(error('munmap(mm=)')).toBe('expected a value, got \')\'');
    expect(error('munmap(mm=0))')).toBe("expected nothing after the call's ')', got ')'");
    expect(error('munmap(,)')).toBe("expected an argument 'name=value', got ',)'");
    /** `c(x=c(x=...z))`, n calls deep. */
    const nest = (n: number): string => (n === 0 ? 'z' : `c(x=${nest(n - 1)})`);
    expect(error(`a(b=${nest(8)})`)).toBe('arguments nested deeper than 8 levels');
    const deepest = (n: number): unknown => (n === 0 ? 'z' : { kind: 'c', x: deepest(n - 1) });
    expect(ok(`a(b=${nest(7)})`)).toEqual({ op: 'a', args: { b: deepest(7) } });
  });
});
