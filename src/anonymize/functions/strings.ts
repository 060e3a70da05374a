/** String built-ins of §1.6: concatenate, format, lowercase, uppercase, substring, replace, normalizeString. */
import { EngineFault, NULL_VALUE, stringOrNull, type RuntimeValue } from '../runtime-value';
import { argInteger, argString } from './args';
import { formatMessage } from './message-format';
import type { FunctionSpec } from './types';

const str = (value: string): RuntimeValue => ({ kind: 'string', value });

/** Java String.replace(CharSequence, CharSequence): literal, every occurrence, left to right. */
export function replaceLiteral(s: string, find: string, replacement: string): string {
  // Java inserts the replacement around every character when the target is empty.
  if (find === '') return replacement + [...s].join(replacement) + (s === '' ? '' : replacement);
  return s.split(find).join(replacement);
}

/** String functions. */
export const STRING_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'concatenate',
    minArgs: 0,
    maxArgs: Infinity,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    // Java joins with Guava's Joiner, which prints a missing value as "null"; we keep that.
    run: (args, ctx) => str(args.map((a, k) => argString(a, ctx, `argument ${k + 1}`) ?? 'null').join('')),
  },
  {
    name: 'format',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    run: (args, ctx) => {
      const pattern = argString(args[0], ctx, 'the pattern');
      if (pattern === null) throw new EngineFault('BAD_ARGUMENT', 'the pattern is missing (null)');
      return str(formatMessage(pattern, args.slice(1).map((a, k) => argString(a, ctx, `argument ${k + 2}`))));
    },
  },
  {
    name: 'lowercase',
    minArgs: 1,
    maxArgs: 1,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    run: (args, ctx) => stringOrNull(argString(args[0], ctx, 'the value')?.toLowerCase()),
  },
  {
    name: 'uppercase',
    minArgs: 1,
    maxArgs: 1,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    run: (args, ctx) => stringOrNull(argString(args[0], ctx, 'the value')?.toUpperCase()),
  },
  {
    name: 'substring',
    minArgs: 3,
    maxArgs: 3,
    since: '6.0',
    returns: 'string',
    argRules: ['any', 'integer', 'integer'],
    run: (args, ctx) => {
      const s = argString(args[0], ctx, 'the value');
      const begin = argInteger(args[1], ctx, 'the begin index');
      const end = argInteger(args[2], ctx, 'the end index');
      if (s === null) return NULL_VALUE;
      // Java throws StringIndexOutOfBoundsException here; we fail the same way without quoting the value.
      if (begin < 0 || end > s.length || begin > end) {
        throw new EngineFault('BAD_ARGUMENT', `indices ${begin}..${end} are out of range for the value`);
      }
      return str(s.slice(begin, end));
    },
  },
  {
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    since: '6.0',
    returns: 'string',
    argRules: ['any', 'any', 'any'],
    run: (args, ctx) => {
      const s = argString(args[0], ctx, 'the value');
      const find = argString(args[1], ctx, 'the text to find');
      const replacement = argString(args[2], ctx, 'the replacement');
      if (s === null) return NULL_VALUE;
      if (find === null || replacement === null) {
        throw new EngineFault('BAD_ARGUMENT', 'the text to find and the replacement must not be missing');
      }
      return str(replaceLiteral(s, find, replacement));
    },
  },
  {
    name: 'normalizeString',
    minArgs: 1,
    maxArgs: 2,
    since: '6.6',
    returns: 'string',
    argRules: ['any', 'any'],
    run: (args, ctx) => {
      const s = argString(args[0], ctx, 'the value');
      const replacement = args.length === 2 ? argString(args[1], ctx, 'the replacement') : '_';
      if (s === null) return NULL_VALUE;
      if (replacement === null) throw new EngineFault('BAD_ARGUMENT', 'the replacement must not be missing');
      // Java's [^\p{ASCII}] works on code points, so a character outside the BMP is replaced once.
      return str(s.replace(/[^\x00-\x7F]/gu, () => replacement));
    },
  },
];
