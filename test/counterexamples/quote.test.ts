/** Text from outside, made safe to print: the exact escapes and the exact cut. */
import { describe, expect, it } from 'vitest';
import { clip, escapeText, fileName, quoted } from '../../properties/counterexample/quote.ts';

describe('escapeText', () => {
  it('names newline, return and tab, and gives every other character outside printable ASCII its shortest escape', () => {
    expect(escapeText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeText('\x00\x1b\x7f\xff')).toBe('\\x00\\x1b\\x7f\\xff');
    expect(escapeText('\u0100\ufeff\uffff')).toBe('\\u0100\\ufeff\\uffff');
    expect(escapeText('\u{10000}\u{1f600}')).toBe('\\u{10000}\\u{1f600}');
    expect(escapeText(' ~plain ASCII stays~ ')).toBe(' ~plain ASCII stays~ ');
  });
});

describe('clip', () => {
  it('keeps text of at most max characters whole', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('', 0)).toBe('');
  });

  it('cuts longer text to max characters and says how long it was', () => {
    expect(clip('abcd', 3)).toBe('abc...(4 characters)');
    expect(clip('abcdefgh', 3)).toBe('abc...(8 characters)');
  });

  it('cuts where the escapes make the text longer than max, though the text itself is not', () => {
    expect(clip('ab\n', 3)).toBe('ab\\...(3 characters)');
    expect(clip('a\x1b', 4)).toBe('a\\x1...(2 characters)');
  });
});

describe('quoted and fileName', () => {
  it('quote with the default bound of 60 characters; a file name is bounded at 200 and not quoted', () => {
    expect(quoted('no-such-design')).toBe("'no-such-design'");
    expect(quoted('x'.repeat(61))).toBe(`'${'x'.repeat(60)}...(61 characters)'`);
    expect(quoted('x'.repeat(60))).toBe(`'${'x'.repeat(60)}'`);
    expect(quoted('abcd', 2)).toBe("'ab...(4 characters)'");
    expect(fileName('a\nb.json')).toBe('a\\nb.json');
    expect(fileName('y'.repeat(201))).toBe(`${'y'.repeat(200)}...(201 characters)`);
    expect(fileName('y'.repeat(200))).toBe('y'.repeat(200));
  });
});
