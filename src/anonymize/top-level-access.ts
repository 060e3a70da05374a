/**
 * Tag-path access over the top level of an EditableDataset: exact tags, digit wildcards and private creators.
 * Paths into sequences (`a/b`, `[n]`, `* + .`) are refused until the dataset interface can reach items.
 */
import type { TagPath, TagPattern } from './ast';
import type { EditableDataset } from './dataset';
import { digitsMatch, exactTag, formatTag, hasDigitWildcard, publicPatternMatches, topLevelPattern } from './tag-pattern';
import { EngineFault } from './runtime-value';

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** The top-level pattern of a path, or a fault saying sequence paths are not supported yet. */
export function requireTopLevel(path: TagPath): TagPattern {
  const pattern = topLevelPattern(path);
  if (pattern === undefined) {
    throw new EngineFault('UNSUPPORTED_PATH', `sequence paths are not supported yet (path ${path.text})`);
  }
  return pattern;
}

/** True when `tag` is a private data element of a block whose creator element holds `creator`. */
function inCreatorBlock(ds: EditableDataset, tag: number, pattern: TagPattern & { creator: string }): boolean {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  const block = element >>> 8;
  if (block < 0x10) return false;
  if (!digitsMatch(pattern.group, hex4(group)) || !digitsMatch(pattern.element, hex4(element).slice(2))) return false;
  return ds.getString(((group << 16) | block) >>> 0)?.trim() === pattern.creator;
}

/** Present top-level tags that the pattern matches, in ascending order. */
export function matchingTags(ds: EditableDataset, pattern: TagPattern): number[] {
  const exact = exactTag(pattern);
  if (exact !== undefined) return ds.has(exact) ? [exact] : [];
  const { creator } = pattern;
  if (creator !== undefined) return ds.tags().filter((t) => inCreatorBlock(ds, t, { ...pattern, creator }));
  return ds.tags().filter((t) => publicPatternMatches(pattern, t));
}

/** The value of a singular top-level path: null when absent. */
export function readPath(ds: EditableDataset, path: TagPath): string | null {
  const pattern = requireTopLevel(path);
  const tags = matchingTags(ds, pattern);
  if (tags.length > 1 || hasDigitWildcard(pattern)) {
    throw new EngineFault('PLURAL_TAGPATH', `Path matching multiple tags not allowed as term: ${path.text}`);
  }
  return tags.length === 0 ? null : (ds.getString(tags[0]!) ?? null);
}

/**
 * The tags `:=` writes: the exact tag (inserted if absent), or every existing match of a wildcard pattern, or a
 * private element in an existing creator block. Creating a private block is not supported (XNAT DE-14).
 */
export function assignmentTargets(ds: EditableDataset, path: TagPath): { tags: number[]; inserts: boolean } {
  const pattern = requireTopLevel(path);
  const exact = exactTag(pattern);
  if (exact !== undefined) return { tags: [exact], inserts: !ds.has(exact) };
  const existing = matchingTags(ds, pattern);
  if (existing.length > 0 || pattern.creator === undefined || hasDigitWildcard(pattern)) {
    return { tags: existing, inserts: false };
  }
  const group = parseInt(pattern.group, 16);
  const low = parseInt(pattern.element, 16);
  for (let block = 0x10; block <= 0xff; block += 1) {
    const creatorTag = ((group << 16) | block) >>> 0;
    if (ds.getString(creatorTag)?.trim() === pattern.creator) {
      return { tags: [((group << 16) | (block << 8) | low) >>> 0], inserts: true };
    }
  }
  throw new EngineFault(
    'PRIVATE_BLOCK_MISSING',
    `cannot create ${path.text}: no private creator block ${formatTag((group << 16) >>> 0).slice(0, 5)},{${pattern.creator}}) exists, and creating private blocks is not supported`,
  );
}
