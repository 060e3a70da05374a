/**
 * Lexer for DicomEdit 6 (DE6Lexer.g4 of §1.2). Whole tags are lexed as one token so that the parser sees
 * `(0010,0010)` as a unit and `(` as a parenthesis only in `if (...)`.
 */
import type { TagPattern } from './ast';
import { ScriptSyntaxError, type SourcePosition } from './errors';

/** Keywords of the language; an identifier spelled like one of these is the keyword. */
export const KEYWORDS = [
  'version',
  'echo',
  'removeAllPrivateTags',
  'describe',
  'hidden',
  'const',
  'immutable',
  'export',
  'if',
  'elseif',
  'else',
] as const;
/** A keyword. */
export type Keyword = (typeof KEYWORDS)[number];

/** Punctuation and operators, longest first where one is a prefix of another. */
const SYMBOLS = [':=', '?=', '!=', '!~', '-', '?', ':', '=', '~', ',', '(', ')', '[', ']', '{', '}', '/', '*', '+', '.', '%'] as const;
/** A punctuation or operator token text. */
export type SymbolText = (typeof SYMBOLS)[number];

/** One token. `text` is the source text (for messages); payloads depend on the kind. */
export type Token =
  | { readonly kind: 'newline'; readonly pos: SourcePosition; readonly text: string }
  | { readonly kind: 'eof'; readonly pos: SourcePosition; readonly text: string }
  | { readonly kind: 'string'; readonly pos: SourcePosition; readonly text: string; readonly value: string }
  | { readonly kind: 'integer'; readonly pos: SourcePosition; readonly text: string }
  | { readonly kind: 'float'; readonly pos: SourcePosition; readonly text: string }
  | { readonly kind: 'id'; readonly pos: SourcePosition; readonly text: string }
  | { readonly kind: 'keyword'; readonly pos: SourcePosition; readonly text: Keyword }
  | { readonly kind: 'tag'; readonly pos: SourcePosition; readonly text: string; readonly tag: TagPattern }
  | { readonly kind: 'symbol'; readonly pos: SourcePosition; readonly text: SymbolText };

const HEX_OR_WILDCARD = /^[0-9A-Fa-fXx#@]$/;
const ODD_LAST = /^[13579BbDdFf#]$/;
const EVEN_LAST = /^[02468AaCcEe@]$/;
const CREATOR_START = /^[A-Za-z]$/;
const CREATOR_PART = /^[A-Za-z0-9 \-_.:]$/;
const SIMPLE_ESCAPES = 'nrtbf()\\';

function isKeyword(word: string): word is Keyword {
  return (KEYWORDS as readonly string[]).includes(word);
}

/** Upper-cases hex digits and the X wildcard; keeps # and @. */
function canonicalDigits(s: string): string {
  return s.toUpperCase();
}

/** Lexer options; the default is the grammar of scripts. */
export interface LexOptions {
  /**
   * Accept private tags by number, e.g. (0045,1045). Only tag paths written inside strings take them (set, delete
   * and friends: RT set.das and deleteFunction.das); tag paths in the script text must name the creator.
   */
  readonly numericPrivate?: boolean;
}

/** Splits a script into tokens; throws ScriptSyntaxError on characters the grammar does not allow. */
export function tokenize(text: string, options: LexOptions = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): SourcePosition => ({ line, column: at - lineStart + 1 });
  const fail = (at: number, message: string): never => {
    throw new ScriptSyntaxError(line, at - lineStart + 1, message);
  };
  /** Backslash + line break: a line continuation (6.6 multi-line strings and statements). */
  const continuationLength = (at: number): number => {
    if (text[at] !== '\\') return 0;
    if (text[at + 1] === '\n') return 2;
    if (text[at + 1] === '\r' && text[at + 2] === '\n') return 3;
    return 0;
  };
  const newLineAt = (nextLineStart: number): void => {
    line += 1;
    lineStart = nextLineStart;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || (c === '\r' && text[i + 1] !== '\n')) {
      i += 1;
      continue;
    }
    const cont = continuationLength(i);
    if (cont > 0) {
      i += cont;
      newLineAt(i);
      continue;
    }
    if (c === '\n' || c === '\r') {
      const len = c === '\r' ? 2 : 1;
      tokens.push({ kind: 'newline', pos: pos(i), text: '\\n' });
      i += len;
      newLineAt(i);
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      // A comment runs to the end of the line; the line break stays a separator.
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i += 1;
      continue;
    }
    if (c === '"') {
      const start = pos(i);
      const startIndex = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) {
          throw new ScriptSyntaxError(start.line, start.column, 'unterminated string: add the closing double quote');
        }
        const ch = text[i]!;
        if (ch === '"') {
          i += 1;
          break;
        }
        if (ch === '\\') {
          const contLen = continuationLength(i);
          if (contLen > 0) {
            i += contLen;
            newLineAt(i);
            continue;
          }
          const next = text[i + 1];
          if (next !== undefined && SIMPLE_ESCAPES.includes(next)) {
            // DicomEdit only collapses "\\" to "\"; other escapes reach functions as written, which is what
            // regular expressions such as "\(" and "\d" need.
            value += next === '\\' ? '\\' : `\\${next}`;
            i += 2;
            continue;
          }
          if (/^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
            value += text.slice(i, i + 4);
            i += 4;
            continue;
          }
          if (next === '"') fail(i, 'a double quote cannot be escaped inside a DicomEdit string');
          fail(i, `invalid escape sequence in string; write "\\\\" for a backslash (for example "\\\\d" in a regex)`);
        }
        if (ch === '\n') {
          // The grammar lets a string span lines; keep positions right.
          value += ch;
          i += 1;
          newLineAt(i);
          continue;
        }
        value += ch;
        i += 1;
      }
      tokens.push({ kind: 'string', pos: start, text: text.slice(startIndex, i), value });
      continue;
    }
    const numberMatch = /^-?(?:0\.[0-9]+|[1-9][0-9]*\.[0-9]+|[1-9][0-9]*|0)/.exec(text.slice(i, i + 64));
    if (numberMatch && !(numberMatch[0] === '-')) {
      const numText = numberMatch[0];
      // "-" alone is the delete operator; "-0" is not a number in the grammar.
      if (numText !== '-0') {
        tokens.push({ kind: numText.includes('.') ? 'float' : 'integer', pos: pos(i), text: numText });
        i += numText.length;
        continue;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (word) {
      const w = word[0];
      if (w.length === 256) fail(i, 'identifier is too long');
      tokens.push(isKeyword(w) ? { kind: 'keyword', pos: pos(i), text: w } : { kind: 'id', pos: pos(i), text: w });
      i += w.length;
      continue;
    }
    if (c === '(' && looksLikeTag(text, i)) {
      const { token, end } = lexTag(text, i, pos(i), (at, m) => fail(at, m), options.numericPrivate === true);
      tokens.push(token);
      i = end;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol) {
      tokens.push({ kind: 'symbol', pos: pos(i), text: symbol });
      i += symbol.length;
      continue;
    }
    fail(i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', pos: pos(i), text: '' });
  return tokens;
}

/** `(` followed by four tag digits and a comma commits the lexer to a tag. */
function looksLikeTag(text: string, at: number): boolean {
  for (let k = 1; k <= 4; k += 1) if (!HEX_OR_WILDCARD.test(text[at + k] ?? '')) return false;
  let j = at + 5;
  while (text[j] === ' ' || text[j] === '\t') j += 1;
  return text[j] === ',';
}

function lexTag(
  text: string,
  start: number,
  startPos: SourcePosition,
  fail: (at: number, message: string) => never,
  numericPrivate: boolean,
): { token: Token; end: number } {
  const group = canonicalDigits(text.slice(start + 1, start + 5));
  const last = group[3]!;
  const isPrivate = ODD_LAST.test(last);
  if (!isPrivate && !EVEN_LAST.test(last)) {
    fail(start + 4, `the last digit of a tag group must be a hex digit, # (odd) or @ (even), not '${last}', so that the tag is clearly public or private`);
  }
  let j = start + 5;
  const skipBlanks = (): void => {
    while (text[j] === ' ' || text[j] === '\t') j += 1;
  };
  skipBlanks();
  j += 1; // the comma, checked by looksLikeTag
  skipBlanks();
  if (text[j] === '{') {
    if (!isPrivate) fail(j, `a private creator is only allowed in an odd group; (${group},…) is a public group`);
    const creatorStart = j + 1;
    if (!CREATOR_START.test(text[creatorStart] ?? '')) fail(creatorStart, 'a private creator name must start with a letter');
    let k = creatorStart + 1;
    while (k < text.length && CREATOR_PART.test(text[k]!)) k += 1;
    if (text[k] !== '}') fail(k, "expected '}' to end the private creator name (allowed: letters, digits, space, - _ . :)");
    const creator = text.slice(creatorStart, k);
    const element = text.slice(k + 1, k + 3);
    if (element.length !== 2 || ![...element].every((d) => HEX_OR_WILDCARD.test(d))) {
      fail(k + 1, 'expected two hex digits after the private creator, e.g. (0019,{SIEMENS MR HEADER}0F)');
    }
    if (text[k + 3] !== ')') fail(k + 3, "expected ')' to end the private tag");
    const tag: TagPattern = { group, element: canonicalDigits(element), creator };
    return { token: { kind: 'tag', pos: startPos, text: formatTagPattern(tag), tag }, end: k + 4 };
  }
  const element = text.slice(j, j + 4);
  if (element.length !== 4 || ![...element].every((d) => HEX_OR_WILDCARD.test(d))) {
    fail(j, 'expected four hex digits (or X, #, @) for the tag element');
  }
  if (text[j + 4] !== ')') fail(j + 4, "expected ')' to end the tag");
  if (isPrivate && !numericPrivate) {
    fail(start, `private tag (${group},${canonicalDigits(element)}) must name its creator, e.g. (${group},{CREATOR}${canonicalDigits(element).slice(2)}); DicomEdit 6 does not address private elements by number`);
  }
  const tag: TagPattern = { group, element: canonicalDigits(element) };
  return { token: { kind: 'tag', pos: startPos, text: formatTagPattern(tag), tag }, end: j + 5 };
}

/** Canonical text of a tag pattern, e.g. `(0010,0010)` or `(0019,{SIEMENS MR HEADER}0F)`. */
export function formatTagPattern(tag: TagPattern): string {
  return tag.creator === undefined ? `(${tag.group},${tag.element})` : `(${tag.group},{${tag.creator}}${tag.element})`;
}
