/** Regular-expression built-ins: match (capture group of the first find) and ismatch (whole-string match). */
import { compileJavaRegex, JavaRegexError, type JavaRegex } from '../java-regex';
import { EngineFault, NULL_VALUE, stringOrNull } from '../runtime-value';
import { argInteger, argString } from './args';
import type { FunctionSpec } from './types';

/** Compiles a script regex, turning pattern problems into a runtime fault that names the problem, not the data. */
export function compileScriptRegex(pattern: string): JavaRegex {
  try {
    return compileJavaRegex(pattern);
  } catch (e) {
    if (e instanceof JavaRegexError) throw new EngineFault('BAD_REGEX', `invalid regular expression: ${e.message}`);
    throw e;
  }
}

/** Runs a matcher, turning "too much work" into a fault. */
export function runRegex<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof JavaRegexError) throw new EngineFault('BAD_REGEX', e.message);
    throw e;
  }
}

/** Regex functions. */
export const REGEX_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'match',
    minArgs: 3,
    maxArgs: 3,
    since: '6.3',
    returns: 'string',
    argRules: ['any', 'any', 'integer'],
    run: (args, ctx) => {
      const value = argString(args[0], ctx, 'the value');
      const pattern = argString(args[1], ctx, 'the regular expression');
      const group = argInteger(args[2], ctx, 'the group number');
      if (pattern === null) throw new EngineFault('BAD_ARGUMENT', 'the regular expression is missing (null)');
      const regex = compileScriptRegex(pattern);
      if (group < 0 || group > regex.groupCount) {
        throw new EngineFault('BAD_ARGUMENT', `group ${group} does not exist; the expression has ${regex.groupCount} group(s)`);
      }
      if (value === null) return NULL_VALUE;
      const groups = runRegex(() => regex.find(value));
      return groups === null ? NULL_VALUE : stringOrNull(groups[group]);
    },
  },
  {
    name: 'ismatch',
    minArgs: 2,
    maxArgs: 2,
    since: '6.3',
    returns: 'boolean',
    argRules: ['any', 'any'],
    run: (args, ctx) => {
      const value = argString(args[0], ctx, 'the value');
      const pattern = argString(args[1], ctx, 'the regular expression');
      if (pattern === null) throw new EngineFault('BAD_ARGUMENT', 'the regular expression is missing (null)');
      const regex = compileScriptRegex(pattern);
      return { kind: 'boolean', value: value !== null && runRegex(() => regex.matchesWhole(value)) };
    },
  },
];
