/** UID built-ins: hashUID, newUID, hashUIDList and mapReferencedUIDs. */
import type { TagPath } from '../ast';
import type { EditableDataset } from '../dataset';
import { EngineFault, VOID_VALUE, stringOrNull } from '../runtime-value';
import { findElements } from '../tag-path-access';
import { allArgPaths, argPaths, argString } from './args';
import type { FunctionSpec } from './types';
import { hashUid, newUid } from './uid-hash';

/**
 * Rewrites every UID value at every match of the paths, value by value for multi-valued elements. All matches are
 * read before any is written, so a UID listed twice (or mirrored into the file meta group) is changed once.
 */
function rewriteUids(ds: EditableDataset, paths: readonly TagPath[], rewrite: (uid: string) => string): void {
  const targets = paths.flatMap((p) => findElements(ds, p)).map((r) => ({ ...r, value: ds.getStringAt(r.item, r.tag) }));
  const done = new Set<string>();
  for (const t of targets) {
    const id = `${JSON.stringify(t.item)}|${t.tag}`;
    if (t.value === undefined || t.value === '' || done.has(id)) continue;
    done.add(id);
    const next = t.value
      .split('\\')
      .map((uid) => (uid.trim() === '' ? uid : rewrite(uid.trim())))
      .join('\\');
    ds.setStringAt(t.item, t.tag, next);
  }
}

/** UID functions. */
export const UID_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'hashUID',
    minArgs: 1,
    maxArgs: 1,
    since: '6.0',
    returns: 'string',
    argRules: ['any'],
    run: (args, ctx) => {
      const uid = argString(args[0], ctx, 'the UID');
      return stringOrNull(uid === null ? null : hashUid(uid));
    },
  },
  {
    name: 'newUID',
    minArgs: 0,
    maxArgs: 0,
    since: '6.0',
    returns: 'string',
    argRules: [],
    run: () => ({ kind: 'string', value: newUid() }),
  },
  {
    // mapUID[value, prefix]: DicomEdit gives each distinct value a random UID under the prefix, remembered only
    // in that process; here the UID is prefix + the decimal part of hashUID(value), the same in every process
    // and every run (design invariant 6), and just as consistent within a batch.
    name: 'mapUID',
    minArgs: 2,
    maxArgs: 2,
    since: '6.0',
    returns: 'string',
    argRules: ['any', 'any'],
    run: (args, ctx) => {
      const value = argString(args[0], ctx, 'the value') ?? '';
      const prefix = argString(args[1], ctx, 'the UID prefix');
      if (prefix === null || !/^[0-9]+(\.[0-9]+)*$/.test(prefix.trim())) {
        throw new EngineFault('BAD_ARGUMENT', 'the UID prefix must be digits separated by dots, e.g. "1.2.840.99999"');
      }
      const mapped = `${prefix.trim()}.${hashUid(value).slice('2.25.'.length)}`;
      if (mapped.length > 64) throw new EngineFault('BAD_ARGUMENT', 'the UID prefix is too long: mapped UIDs would exceed 64 characters');
      return { kind: 'string', value: mapped };
    },
  },
  {
    name: 'hashUIDList',
    minArgs: 1,
    maxArgs: Infinity,
    since: '6.6',
    returns: 'void',
    argRules: ['tagPathLike'],
    // Hashes in place wherever the paths match; a missing element is never inserted (RT hashUIDList*.das).
    run: (args, ctx) => {
      rewriteUids(ctx.ds, allArgPaths(args), hashUid);
      return VOID_VALUE;
    },
  },
  {
    name: 'mapReferencedUIDs',
    minArgs: 2,
    maxArgs: Infinity,
    since: '6.2',
    returns: 'void',
    argRules: ['any', 'tagPathLike'],
    // root + "." + the decimal part of hashUID (UIDUtils.getHashedUID strips "2.25."), so that references to the
    // same UID agree wherever they are, in this file and in every other file of the study.
    run: (args, ctx) => {
      const root = argString(args[0], ctx, 'the UID root');
      if (root === null || !/^[0-9]+(\.[0-9]+)*$/.test(root.trim())) {
        throw new EngineFault('BAD_ARGUMENT', 'the UID root must be digits separated by dots, e.g. "1.2.840.99999"');
      }
      const paths = args.slice(1).flatMap((a, k) => argPaths(a, `argument ${k + 2}`));
      rewriteUids(ctx.ds, paths, (uid) => {
        const mapped = `${root.trim()}.${hashUid(uid).slice('2.25.'.length)}`;
        if (mapped.length > 64) throw new EngineFault('BAD_ARGUMENT', `the UID root is too long: mapped UIDs would exceed 64 characters`);
        return mapped;
      });
      return VOID_VALUE;
    },
  },
];
