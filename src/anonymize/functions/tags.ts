/** Built-ins that work on tag paths at any depth: isPresent, removeTags, delete, set, collectValues. */
import { EngineFault, VOID_VALUE, stringOrNull } from '../runtime-value';
import { assignmentTargets, deleteMatches, findElements, isPresent } from '../tag-path-access';
import { allArgPaths, argPaths, argString } from './args';
import type { FunctionSpec } from './types';

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
    run: (args, ctx) => ({ kind: 'boolean', value: allArgPaths(args).every((p) => isPresent(ctx.ds, p)) }),
  },
  {
    name: 'removeTags',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.6',
    returns: 'void',
    argRules: ['tagPathLike'],
    run: (args, ctx) => {
      for (const path of allArgPaths(args)) deleteMatches(ctx.ds, path);
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
      for (const path of allArgPaths(args)) deleteMatches(ctx.ds, path);
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
      for (const t of assignmentTargets(ctx.ds, path)) ctx.ds.setStringAt(t.item, t.tag, value);
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
      items: allArgPaths(args).flatMap((p) => findElements(ctx.ds, p).map((r) => stringOrNull(ctx.ds.getStringAt(r.item, r.tag)))),
    }),
  },
];
