/**
 * blankValues (6.6): blanks every element, at every depth, whose value equals one of the given values, e.g.
 * blankValues[collectValues[(0018,9020)]] removes a value wherever it was copied. Matching is case-sensitive on the
 * value with leading and trailing spaces ignored; only text values take part (binary numbers and UN bytes never
 * match); the file meta group is left alone; nothing is inserted (RT TestAnonymizationCollectBlankValues).
 */
import type { Argument } from '../runtime-value';
import { EngineFault, VOID_VALUE } from '../runtime-value';
import { allElements, findElements } from '../tag-path-access';
import type { CallContext, FunctionSpec } from './types';

const TEXT_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

/** The values an argument stands for: strings, the values at a path's matches, or the items of a list. */
function valuesOf(arg: Argument, ctx: CallContext): string[] {
  switch (arg.kind) {
    case 'string':
      return [arg.value];
    case 'path':
      return findElements(ctx.ds, arg.path).flatMap((r) => ctx.ds.getStringAt(r.item, r.tag) ?? []);
    case 'list':
      return arg.items.flatMap((item) => valuesOf(item, ctx));
    case 'null':
      return [];
    case 'boolean':
    case 'void':
      throw new EngineFault('BAD_ARGUMENT', 'blankValues takes values, tag paths or lists of them');
  }
}

/** The blankValues function. */
export const VALUE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'blankValues',
    // blankValues[] is accepted and does nothing (RT collectAndBlankValues/noArguments.das).
    minArgs: 0,
    maxArgs: Infinity,
    since: '6.6',
    returns: 'void',
    argRules: ['any'],
    run: (args, ctx) => {
      const known = new Set(args.flatMap((a) => valuesOf(a, ctx)).map((v) => v.trim()).filter((v) => v !== ''));
      if (known.size === 0) return VOID_VALUE;
      for (const ref of allElements(ctx.ds)) {
        if (ref.item.length === 0 && ref.tag >>> 16 === 0x0002) continue;
        const vr = ctx.ds.vrAt(ref.item, ref.tag);
        if (vr === undefined || !TEXT_VRS.has(vr)) continue;
        const value = ctx.ds.getStringAt(ref.item, ref.tag);
        if (value !== undefined && known.has(value.trim())) ctx.ds.setStringAt(ref.item, ref.tag, '');
      }
      return VOID_VALUE;
    },
  },
];
