/**
 * A small backtracking matcher for the commonly used subset of java.util.regex.
 *
 * Why not JavaScript's RegExp: scripts are written for Java, and the two differ in ways DicomEdit tests pin
 * down. Java keeps a group's last capture when an enclosing loop iterates again without it, so
 * `match["aba","(a(b)?)+",2]` is "b" in Java and undefined in JavaScript. Owning the matcher also lets us cap
 * the work per match, so a pathological pattern fails one instance instead of hanging a worker.
 *
 * Supported: literals, `.`, classes with ranges and negation, \d \D \w \W \s \S, \p{Lower|Upper|ASCII|Alpha|
 * Digit|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space} (and \P), Unicode categories such as \p{L},
 * escapes \t \n \r \f \a \e \0oct \xhh \uhhhh, \Q…\E, anchors ^ $ \A \z \Z \b \B, groups ( ) (?: ) (?<name> ),
 * lookahead (?= ) (?! ), inline flags (?i) (?-i) (?i: ), back references \1-\9, greedy and lazy quantifiers
 * * + ? {n} {n,} {n,m}. Refused with an error: possessive quantifiers, atomic groups, lookbehind, class
 * intersection/union, other flags.
 */

/** The pattern uses something outside the supported subset, is malformed, or needed too much work. */
export class JavaRegexError extends Error {
  override readonly name = 'JavaRegexError';
}

/** A compiled pattern. */
export interface JavaRegex {
  /** Number of capturing groups. */
  readonly groupCount: number;
  /** Java `String.matches`: the whole input must match. */
  matchesWhole(input: string): boolean;
  /** Java `Matcher.find()` from the start: the groups of the first match (index 0 is the whole match), or null. */
  find(input: string): (string | null)[] | null;
}

type Caps = readonly number[];
type Cont = (i: number, caps: Caps) => boolean;
type Matcher = (i: number, caps: Caps, k: Cont) => boolean;
type CharTest = (c: string) => boolean;

const MAX_STEPS = 1_000_000;

interface RunState {
  input: string;
  steps: number;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const POSIX: Record<string, CharTest> = {
  Lower: (c) => c >= 'a' && c <= 'z',
  Upper: (c) => c >= 'A' && c <= 'Z',
  ASCII: (c) => c.charCodeAt(0) <= 0x7f,
  Alpha: (c) => /[A-Za-z]/.test(c),
  Digit: (c) => c >= '0' && c <= '9',
  Alnum: (c) => /[A-Za-z0-9]/.test(c),
  Punct: (c) => PUNCT.includes(c),
  Graph: (c) => /[A-Za-z0-9]/.test(c) || PUNCT.includes(c),
  Print: (c) => /[A-Za-z0-9 ]/.test(c) || PUNCT.includes(c),
  Blank: (c) => c === ' ' || c === '\t',
  Cntrl: (c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f,
  XDigit: (c) => /[0-9A-Fa-f]/.test(c),
  Space: (c) => ' \t\n\x0B\f\r'.includes(c),
};

function caseInsensitive(test: CharTest): CharTest {
  return (c) => test(c) || test(c.toLowerCase()) || test(c.toUpperCase());
}

/** Compiles a Java regular expression; throws JavaRegexError for unsupported or malformed patterns. */
export function compileJavaRegex(pattern: string): JavaRegex {
  const state: RunState = { input: '', steps: 0 };
  const parser = new RegexParser(pattern, state);
  const root = parser.parseAll();
  const groupCount = parser.groupCount;
  const emptyCaps: Caps = new Array<number>((groupCount + 1) * 2).fill(-1);
  const run = (input: string, start: number, k: Cont): boolean => {
    state.input = input;
    state.steps = 0;
    try {
      return root(start, emptyCaps, k);
    } catch (e) {
      if (e instanceof RangeError) throw new JavaRegexError('the regular expression needs too much work on this value');
      throw e;
    }
  };
  return {
    groupCount,
    matchesWhole(input) {
      return run(input, 0, (i) => i === input.length);
    },
    find(input) {
      for (let start = 0; start <= input.length; start += 1) {
        let found: Caps | undefined;
        const ok = run(input, start, (i, caps) => {
          found = [...caps];
          (found as number[])[0] = start;
          (found as number[])[1] = i;
          return true;
        });
        if (ok && found) {
          const groups: (string | null)[] = [];
          for (let g = 0; g <= groupCount; g += 1) {
            const s = found[g * 2]!;
            const e = found[g * 2 + 1]!;
            groups.push(s < 0 ? null : input.slice(s, e));
          }
          return groups;
        }
      }
      return null;
    },
  };
}

class RegexParser {
  private at = 0;
  groupCount = 0;
  private ci = false;

  constructor(
    private readonly src: string,
    private readonly state: RunState,
  ) {}

  private fail(message: string): never {
    throw new JavaRegexError(`${message} at index ${this.at} of the regular expression`);
  }

  private tick(): void {
    this.state.steps += 1;
    if (this.state.steps > MAX_STEPS) throw new JavaRegexError('the regular expression needs too much work on this value');
  }

  parseAll(): Matcher {
    const m = this.alternation();
    if (this.at < this.src.length) this.fail("unmatched ')'");
    return m;
  }

  private alternation(): Matcher {
    const options = [this.sequence()];
    while (this.src[this.at] === '|') {
      this.at += 1;
      options.push(this.sequence());
    }
    if (options.length === 1) return options[0]!;
    return (i, caps, k) => options.some((m) => m(i, caps, k));
  }

  private sequence(): Matcher {
    const items: Matcher[] = [];
    while (this.at < this.src.length && this.src[this.at] !== '|' && this.src[this.at] !== ')') {
      const atom = this.atom();
      if (atom === undefined) continue;
      items.push(this.quantified(atom));
    }
    return items.reduceRight<Matcher>(
      (next, m) => (i, caps, k) => m(i, caps, (j, c) => next(j, c, k)),
      (i, caps, k) => k(i, caps),
    );
  }

  private quantified(atom: Matcher): Matcher {
    const c = this.src[this.at];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (!m) this.fail('illegal repetition');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) this.fail('illegal repetition range');
      this.at += m[0].length - 1;
    } else return atom;
    this.at += 1;
    let greedy = true;
    if (this.src[this.at] === '?') {
      greedy = false;
      this.at += 1;
    } else if (this.src[this.at] === '+') {
      this.fail('possessive quantifiers are not supported');
    }
    const tick = (): void => this.tick();
    const rep = (count: number, i: number, caps: Caps, k: Cont): boolean => {
      tick();
      // An iteration that consumes nothing once the minimum is met would loop forever; Java stops there too.
      const again = (): boolean =>
        count < max && atom(i, caps, (j, c2) => (j === i && count >= min ? false : rep(count + 1, j, c2, k)));
      if (greedy) return again() || (count >= min && k(i, caps));
      return (count >= min && k(i, caps)) || again();
    };
    return (i, caps, k) => rep(0, i, caps, k);
  }

  private charMatcher(test: CharTest): Matcher {
    const t = this.ci ? caseInsensitive(test) : test;
    const state = this.state;
    return (i, caps, k) => i < state.input.length && t(state.input[i]!) && k(i + 1, caps);
  }

  private atom(): Matcher | undefined {
    const c = this.src[this.at]!;
    const state = this.state;
    this.at += 1;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charMatcher(this.charClass());
      case '.':
        return this.charMatcher((ch) => ch !== '\n' && ch !== '\r' && ch !== '\u0085' && ch !== '\u2028' && ch !== '\u2029');
      case '^':
        return (i, caps, k) => i === 0 && k(i, caps);
      case '$':
        return (i, caps, k) => {
          const s = state.input;
          return (i === s.length || (i === s.length - 1 && s[i] === '\n')) && k(i, caps);
        };
      case '*':
      case '+':
      case '?':
        return this.fail(`dangling meta character '${c}'`);
      case '{':
        return this.fail('illegal repetition');
      case '\\':
        return this.escapeAtom();
      default:
        return this.charMatcher((ch) => ch === c);
    }
  }

  private group(): Matcher | undefined {
    const src = this.src;
    let capture: number | undefined;
    let look: 'ahead' | 'notAhead' | undefined;
    const savedCi = this.ci;
    if (src[this.at] === '?') {
      const rest = src.slice(this.at + 1);
      if (rest.startsWith(':')) this.at += 2;
      else if (rest.startsWith('=')) [look, this.at] = ['ahead', this.at + 2];
      else if (rest.startsWith('!')) [look, this.at] = ['notAhead', this.at + 2];
      else if (/^<[A-Za-z][A-Za-z0-9]*>/.test(rest)) {
        this.at += 1 + rest.indexOf('>') + 1;
        capture = ++this.groupCount;
      } else {
        const flags = /^(-?)i(\)|:)/.exec(rest);
        if (!flags) this.fail('only the groups (?: ), (?= ), (?! ), (?<name> ) and the flag (?i) are supported');
        this.at += 1 + flags[0].length;
        const on = flags[1] === '';
        if (flags[2] === ')') {
          // (?i) switches the flag for the rest of the enclosing group.
          this.ci = on;
          return undefined;
        }
        this.ci = on;
      }
    } else {
      capture = ++this.groupCount;
    }
    const body = this.alternation();
    if (src[this.at] !== ')') this.fail("unclosed group: expected ')'");
    this.at += 1;
    this.ci = savedCi;
    if (look !== undefined) {
      const negate = look === 'notAhead';
      return (i, caps, k) => {
        let inner: Caps = caps;
        const ok = body(i, caps, (_j, c2) => {
          inner = c2;
          return true;
        });
        return negate ? !ok && k(i, caps) : ok && k(i, inner);
      };
    }
    if (capture === undefined) return body;
    const index = capture;
    return (i, caps, k) =>
      body(i, caps, (j, c2) => {
        const next = [...c2];
        next[index * 2] = i;
        next[index * 2 + 1] = j;
        return k(j, next);
      });
  }

  private escapeAtom(): Matcher {
    const src = this.src;
    const state = this.state;
    const c = src[this.at];
    if (c === undefined) this.fail('trailing backslash');
    if (c === 'Q') {
      const end = src.indexOf('\\E', this.at + 1);
      const literal = end < 0 ? src.slice(this.at + 1) : src.slice(this.at + 1, end);
      this.at = end < 0 ? src.length : end + 2;
      const ms = [...literal].map((ch) => this.charMatcher((x) => x === ch));
      return ms.reduceRight<Matcher>(
        (next, m) => (i, caps, k) => m(i, caps, (j, c2) => next(j, c2, k)),
        (i, caps, k) => k(i, caps),
      );
    }
    if (c === 'b' || c === 'B') {
      this.at += 1;
      const want = c === 'b';
      return (i, caps, k) =>
        (isWordChar(state.input[i - 1]) !== isWordChar(state.input[i])) === want && k(i, caps);
    }
    if (c === 'A') {
      this.at += 1;
      return (i, caps, k) => i === 0 && k(i, caps);
    }
    if (c === 'z') {
      this.at += 1;
      return (i, caps, k) => i === state.input.length && k(i, caps);
    }
    if (c === 'Z') {
      this.at += 1;
      return (i, caps, k) => {
        const s = state.input;
        return (i === s.length || (i === s.length - 1 && s[i] === '\n')) && k(i, caps);
      };
    }
    if (c >= '1' && c <= '9') {
      this.at += 1;
      const n = Number(c);
      const ci = this.ci;
      if (n > this.groupCount) this.fail(`back reference \\${n} names a group that does not exist yet`);
      return (i, caps, k) => {
        const s = caps[n * 2]!;
        const e = caps[n * 2 + 1]!;
        if (s < 0) return false;
        const text = state.input.slice(s, e);
        const here = state.input.slice(i, i + text.length);
        const same = ci ? here.toLowerCase() === text.toLowerCase() : here === text;
        return same && k(i + text.length, caps);
      };
    }
    return this.charMatcher(this.escapeTest());
  }

  /** An escape that stands for one character or a class of characters (inside or outside brackets). */
  private escapeTest(): CharTest {
    const src = this.src;
    const c = src[this.at]!;
    this.at += 1;
    switch (c) {
      case 'd':
        return (x) => x >= '0' && x <= '9';
      case 'D':
        return (x) => !(x >= '0' && x <= '9');
      case 'w':
        return (x) => isWordChar(x);
      case 'W':
        return (x) => !isWordChar(x);
      case 's':
        return POSIX.Space!;
      case 'S':
        return (x) => !POSIX.Space!(x);
      case 't':
        return (x) => x === '\t';
      case 'n':
        return (x) => x === '\n';
      case 'r':
        return (x) => x === '\r';
      case 'f':
        return (x) => x === '\f';
      case 'a':
        return (x) => x === '\x07';
      case 'e':
        return (x) => x === '\x1b';
      case '0': {
        const m = /^[0-7]{1,3}/.exec(src.slice(this.at));
        if (!m) this.fail('illegal octal escape');
        this.at += m[0].length;
        const ch = String.fromCharCode(parseInt(m[0], 8));
        return (x) => x === ch;
      }
      case 'x':
      case 'u': {
        const len = c === 'x' ? 2 : 4;
        const hex = src.slice(this.at, this.at + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail(`illegal \\${c} escape`);
        this.at += len;
        const ch = String.fromCharCode(parseInt(hex, 16));
        return (x) => x === ch;
      }
      case 'p':
      case 'P': {
        const m = /^\{([A-Za-z_]+)\}/.exec(src.slice(this.at));
        if (!m) this.fail('expected \\p{Name}');
        this.at += m[0].length;
        const test = propertyTest(m[1]!);
        if (test === undefined) this.fail(`unknown character property ${m[1]}`);
        return c === 'p' ? test : (x) => !test(x);
      }
      default:
        if (/[A-Za-z0-9]/.test(c)) this.fail(`unsupported escape \\${c}`);
        return (x) => x === c;
    }
  }

  private charClass(): CharTest {
    const src = this.src;
    let negate = false;
    if (src[this.at] === '^') {
      negate = true;
      this.at += 1;
    }
    const parts: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = src[this.at];
      if (c === undefined) this.fail("unclosed character class: expected ']'");
      if (c === ']' && !first) {
        this.at += 1;
        break;
      }
      first = false;
      if (c === '[') this.fail('nested character classes are not supported');
      if (c === '&' && src[this.at + 1] === '&') this.fail('character class intersection (&&) is not supported');
      let lowChar: string | undefined;
      if (c === '\\') {
        this.at += 1;
        const before = this.at;
        const test = this.escapeTest();
        // Single-character escapes can start a range; class escapes like \d cannot.
        const single = this.singleCharOfEscape(before);
        if (single === undefined) {
          parts.push(test);
          continue;
        }
        lowChar = single;
      } else {
        lowChar = c;
        this.at += 1;
      }
      if (src[this.at] === '-' && src[this.at + 1] !== undefined && src[this.at + 1] !== ']') {
        this.at += 1;
        let highChar = src[this.at]!;
        if (highChar === '\\') {
          this.at += 1;
          const before = this.at;
          this.escapeTest();
          const single = this.singleCharOfEscape(before);
          if (single === undefined) this.fail('illegal character range');
          highChar = single;
        } else {
          this.at += 1;
        }
        if (highChar < lowChar) this.fail('illegal character range');
        const lo = lowChar;
        parts.push((x) => x >= lo && x <= highChar);
      } else {
        const ch = lowChar;
        parts.push((x) => x === ch);
      }
    }
    const any: CharTest = (x) => parts.some((p) => p(x));
    return negate ? (x) => !any(x) : any;
  }

  /** The one character an already-consumed escape stands for, or undefined for class escapes like \d. */
  private singleCharOfEscape(start: number): string | undefined {
    const text = this.src.slice(start, this.at);
    const c = text[0]!;
    if ('dDwWsSpP'.includes(c)) return undefined;
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', a: '\x07', e: '\x1b' };
    if (simple[c] !== undefined) return simple[c];
    if (c === '0') return String.fromCharCode(parseInt(text.slice(1), 8));
    if (c === 'x' || c === 'u') return String.fromCharCode(parseInt(text.slice(1), 16));
    return c;
  }
}

function propertyTest(name: string): CharTest | undefined {
  const posix = POSIX[name.startsWith('Is') && POSIX[name.slice(2)] ? name.slice(2) : name];
  if (posix) return posix;
  const unicodeName = name.startsWith('Is') ? `Script=${name.slice(2)}` : name === 'IsAlphabetic' ? 'Alphabetic' : name;
  try {
    const re = new RegExp(`^\\p{${unicodeName}}$`, 'u');
    return (x) => re.test(x);
  } catch {
    return undefined;
  }
}
