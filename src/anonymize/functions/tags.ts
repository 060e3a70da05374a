/** Built-ins that work on tag paths at the top level: isPresent, removeTags, delete, set, collectValues. */
import { EngineFault, VOID_VALUE, stringOrNull, type Argument } from '../runtime-value';
import { assignmentTargets, matchingTags, requireTopLevel } from '../top-level-access';
import { argPaths, argString } from './args';
import type { CallContext, FunctionSpec } from './types';

function allPaths(args: readonly Argument[]) {
  return args.flatMap((a, k) => argPaths(a, `argument ${k + 1}`));
}

function deleteMatches(args: readonly Argument[], ctx: CallContext): void {
  for (const path of allPaths(args)) {
    for (const tag of matchingTags(ctx.ds, requireTopLevel(path))) ctx.ds.delete(tag);
  }
}

/** Tag-path functions. */
export const TAG_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'isPresent',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.7',
    returns: 'boolean',
    argRules: ['tagPathLike'],
    // True only when every listed path is present (RT isPresent/multipleArgs.das).
    run: (args, ctx) => ({
      kind: 'boolean',
      value: allPaths(args).every((p) => matchingTags(ctx.ds, requireTopLevel(p)).length > 0),
    }),
  },
  {
    name: 'removeTags',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.6',
    returns: 'void',
    argRules: ['tagPathLike'],
    run: (args, ctx) => {
      deleteMatches(args, ctx);
      return VOID_VALUE;
    },
  },
  {
    name: 'delete',
    minArgs: 1,
    maxArgs: 1,
    since: '6.3',
    returns: 'void',
    argRules: ['tagPathLike'],
    run: (args, ctx) => {
      deleteMatches(args, ctx);
      return VOID_VALUE;
    },
  },
  {
    name: 'set',
    minArgs: 2,
    maxArgs: 2,
    since: '6.3',
    returns: 'void',
    argRules: ['tagPathLike', 'any'],
    run: (args, ctx) => {
      const [path, ...rest] = argPaths(args[0]!, 'the tag path');
      if (path === undefined || rest.length > 0) throw new EngineFault('BAD_ARGUMENT', 'set takes exactly one tag path');
      const value = argString(args[1], ctx, 'the value');
      if (value === null) throw new EngineFault('NULL_ASSIGNMENT', `the value to set into ${path.text} is missing (null)`);
      for (const tag of assignmentTargets(ctx.ds, path).tags) ctx.ds.setString(tag, value);
      return VOID_VALUE;
    },
  },
  {
    name: 'collectValues',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.6',
    returns: 'list',
    argRules: ['tagPathLike'],
    run: (args, ctx) => ({
      kind: 'list',
      items: allPaths(args).flatMap((p) =>
        matchingTags(ctx.ds, requireTopLevel(p)).map((t) => stringOrNull(ctx.ds.getString(t))),
      ),
    }),
  },
];
