/** lookup[table, key]: a value from a site-uploaded table (lookup-table.ts); a missing key gives null. */
import { EngineFault, NULL_VALUE, stringOrNull } from '../runtime-value';
import { argString } from './args';
import type { FunctionSpec } from './types';

/** The lookup function. */
export const LOOKUP_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'lookup',
    minArgs: 2,
    maxArgs: 2,
    since: '6.0',
    returns: 'string',
    argRules: ['any', 'any'],
    run: (args, ctx) => {
      const table = argString(args[0], ctx, 'the table name');
      const key = argString(args[1], ctx, 'the key');
      if (table === null) throw new EngineFault('BAD_ARGUMENT', 'the table name is missing (null)');
      const entries = ctx.lookupTables?.get(table);
      if (entries === undefined) throw new EngineFault('BAD_ARGUMENT', `no lookup table named "${table}" was supplied; upload it with the script`);
      return key === null ? NULL_VALUE : stringOrNull(entries.get(key.trim()));
    },
  },
];
