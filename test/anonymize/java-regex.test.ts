import { describe, expect, it } from 'vitest';
import { compileJavaRegex, JavaRegexError } from '../../src/anonymize/java-regex';

describe('Java regex subset', () => {
  it.each([
    ['\\d{8}', '20100430', true],
    ['10\\d{2}', '1099', true],
    ['[A-Z]+\\^[A-Z]+', 'DOE^JANE', true],
    ['[^0-9]*', 'abc', true],
    ['a|b', 'b', true],
    ['\\p{Alpha}+', 'abcXYZ', true],
    ['\\p{ASCII}*', 'Zoë', false],
    ['\\QT1.axial\\E', 'T1.axial', true],
    ['\\QT1.axial\\E', 'T1xaxial', false],
    ['(?i)mr', 'MR', true],
    ['(ab)\\1', 'abab', true],
    ['a.*?b', 'axxb', true],
    ['x(?=y)y', 'xy', true],
    ['x(?!y).', 'xz', true],
    ['.', '\n', false],
  ])('When %s is matched against the whole of %s, then it is %s', (pattern, input, expected) => {
    expect(compileJavaRegex(pattern).matchesWhole(input)).toBe(expected);
  });

  it('When find runs, then groups follow Java (last capture kept across iterations)', () => {
    expect(compileJavaRegex('(a(b)?)+').find('aba')).toEqual(['aba', 'a', 'b']);
    expect(compileJavaRegex('T1_(\\w+)').find('xx T1_axial')).toEqual(['T1_axial', 'axial']);
    expect(compileJavaRegex('z').find('abc')).toBeNull();
  });

  it.each(['a++', '(?>a)', '(?<=a)b', '[a&&b]', '(abc', 'a{', '\\k<x>'])('When the pattern %s is outside the subset or malformed, then it is refused', (pattern) => {
    expect(() => compileJavaRegex(pattern)).toThrow(JavaRegexError);
  });

  it('When a pattern backtracks catastrophically, then matching stops with an error instead of hanging', () => {
    const regex = compileJavaRegex('(a*)*b');
    expect(() => regex.matchesWhole('a'.repeat(40))).toThrow(JavaRegexError);
  });
});
