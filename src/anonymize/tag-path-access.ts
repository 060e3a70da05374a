/**
 * Tag-path access at any depth (§1.4): `a/b`, `[n]`, `[%]`, a sequence without a selector (every item), the level
 * wildcards `*` (root and any depth), `+` (any depth below the root) and `.` (exactly one level), digit
 * wildcards, and private creators resolved per item. Everything here reads or edits through EditableDataset.
 */
import type { PathSegment, TagPath, TagPattern } from './ast';
import type { EditableDataset, ItemPath } from './dataset';
import { digitsMatch, exactTag, formatTag, isSingularPath, publicPatternMatches } from './tag-pattern';
import { EngineFault } from './runtime-value';

/** One element found by a path: the item that holds it and its tag. */
export interface ElementRef {
  readonly item: ItemPath;
  readonly tag: number;
}

/** One sequence item found by a path that ends in `[n]` or `[%]`. */
export interface ItemRef {
  readonly parent: ItemPath;
  readonly tag: number;
  readonly index: number;
}

/** What a path matches: elements, or items when its last segment has an item selector. */
export type PathMatches = { readonly kind: 'elements'; readonly refs: ElementRef[] } | { readonly kind: 'items'; readonly refs: ItemRef[] };

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** True for odd groups, i.e. private elements and private creators. */
export function isPrivateTag(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}

/** True for a private creator element (gggg,0010)-(gggg,00FF). */
export function isPrivateCreator(tag: number): boolean {
  const element = tag & 0xffff;
  return isPrivateTag(tag) && element >= 0x10 && element <= 0xff;
}

/** A stable text key of an item path, e.g. "" for the root or "00081115.0/00081140.2". */
export function itemKey(path: ItemPath): string {
  return path.map((s) => `${hex4(s.tag >>> 16)}${hex4(s.tag & 0xffff)}.${s.item}`).join('/');
}

/** The private creator value of the block holding `tag` in that item, trimmed; undefined when there is none. */
export function creatorOf(ds: EditableDataset, item: ItemPath, tag: number): string | undefined {
  const block = (tag & 0xffff) >>> 8;
  if (!isPrivateTag(tag) || block < 0x10) return undefined;
  return ds.getStringAt(item, (((tag >>> 16) << 16) | block) >>> 0)?.trim();
}

/** Blocks (0x10-0xFF) of a group in one item whose creator element holds `creator`. */
function blocksOf(ds: EditableDataset, item: ItemPath, group: number, creator: string): number[] {
  return ds
    .tagsAt(item)
    .filter((t) => t >>> 16 === group && isPrivateCreator(t) && ds.getStringAt(item, t)?.trim() === creator)
    .map((t) => t & 0xff);
}

/** Present tags of one item that a pattern matches, ascending. Creator patterns resolve in that item. */
export function matchInItem(ds: EditableDataset, item: ItemPath, pattern: TagPattern): number[] {
  const exact = exactTag(pattern);
  if (exact !== undefined) return ds.hasAt(item, exact) ? [exact] : [];
  const { creator } = pattern;
  if (creator === undefined) return ds.tagsAt(item).filter((t) => publicPatternMatches(pattern, t));
  return ds.tagsAt(item).filter((t) => {
    const element = t & 0xffff;
    if (element >>> 8 < 0x10 || !isPrivateTag(t)) return false;
    if (!digitsMatch(pattern.group, hex4(t >>> 16)) || !digitsMatch(pattern.element, hex4(element).slice(2))) return false;
    return creatorOf(ds, item, t) === creator;
  });
}

/** Every item below `item` (not itself), depth first; `maxDepth` 1 gives the items of its sequences only. */
function descendants(ds: EditableDataset, item: ItemPath, maxDepth: number): ItemPath[] {
  const out: ItemPath[] = [];
  if (maxDepth <= 0) return out;
  for (const tag of ds.tagsAt(item)) {
    const count = ds.itemCount(item, tag);
    for (let k = 0; k < count; k += 1) {
      const child: ItemPath = [...item, { tag, item: k }];
      out.push(child, ...descendants(ds, child, maxDepth - 1));
    }
  }
  return out;
}

function dedupe(items: ItemPath[]): ItemPath[] {
  const seen = new Set<string>();
  return items.filter((p) => {
    const key = itemKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The items a non-final segment leads to from the given items. */
function step(ds: EditableDataset, from: readonly ItemPath[], segment: PathSegment): ItemPath[] {
  const out: ItemPath[] = [];
  for (const item of from) {
    if (segment.kind === 'level') {
      if (segment.wildcard === '*') out.push(item);
      out.push(...descendants(ds, item, segment.wildcard === '.' ? 1 : Infinity));
      continue;
    }
    for (const tag of matchInItem(ds, item, segment.tag)) {
      const count = ds.itemCount(item, tag);
      const selector = segment.item;
      if (selector?.kind === 'index') {
        if (selector.index < count) out.push([...item, { tag, item: selector.index }]);
      } else {
        for (let k = 0; k < count; k += 1) out.push([...item, { tag, item: k }]);
      }
    }
  }
  return dedupe(out);
}

/** The items in which the last segment of the path is looked up (the containing items that exist). */
export function containingItems(ds: EditableDataset, path: TagPath): ItemPath[] {
  let items: ItemPath[] = [[]];
  for (const segment of path.segments.slice(0, -1)) items = step(ds, items, segment);
  return items;
}

/** The final segment as an element segment; a path ending in a level wildcard names nothing. */
export function lastElement(path: TagPath): Extract<PathSegment, { kind: 'element' }> {
  const last = path.segments[path.segments.length - 1];
  if (last === undefined || last.kind !== 'element') {
    throw new EngineFault('BAD_ARGUMENT', `the tag path ${path.text} must end with a tag, not a level wildcard`);
  }
  return last;
}

/** Everything a path matches in the dataset as it is now. */
export function resolvePath(ds: EditableDataset, path: TagPath): PathMatches {
  const last = lastElement(path);
  const items = containingItems(ds, path);
  if (last.item === undefined) {
    return { kind: 'elements', refs: items.flatMap((item) => matchInItem(ds, item, last.tag).map((tag) => ({ item, tag }))) };
  }
  const selector = last.item;
  const refs: ItemRef[] = [];
  for (const parent of items) {
    for (const tag of matchInItem(ds, parent, last.tag)) {
      const count = ds.itemCount(parent, tag);
      if (selector.kind === 'index') {
        if (selector.index < count) refs.push({ parent, tag, index: selector.index });
      } else {
        for (let k = 0; k < count; k += 1) refs.push({ parent, tag, index: k });
      }
    }
  }
  return { kind: 'items', refs };
}

/** The elements a path matches; a path naming items (ends in `[n]`/`[%]`) is refused where values are meant. */
export function findElements(ds: EditableDataset, path: TagPath): ElementRef[] {
  const matches = resolvePath(ds, path);
  if (matches.kind === 'items') {
    throw new EngineFault('BAD_ARGUMENT', `${path.text} names sequence items, not an element with a value`);
  }
  return matches.refs;
}

/** The value of a path used as a value: null when absent; more than one match is an error (§1.3). */
export function readPath(ds: EditableDataset, path: TagPath): string | null {
  const refs = findElements(ds, path);
  if (refs.length > 1) throw new EngineFault('PLURAL_TAGPATH', `Path matching multiple tags not allowed as term: ${path.text}`);
  const [ref] = refs;
  return ref === undefined ? null : (ds.getStringAt(ref.item, ref.tag) ?? null);
}

/** Finds or creates the block of `creator` in group `group` of one item; DE-14, see assignmentTargets. */
function ensureBlock(ds: EditableDataset, item: ItemPath, group: number, creator: string, pathText: string): number {
  const [existing] = blocksOf(ds, item, group, creator);
  if (existing !== undefined) return existing;
  for (let block = 0x10; block <= 0xff; block += 1) {
    const creatorTag = ((group << 16) | block) >>> 0;
    if (!ds.hasAt(item, creatorTag)) {
      ds.setStringAt(item, creatorTag, creator);
      return block;
    }
  }
  throw new EngineFault('PRIVATE_BLOCK_MISSING', `cannot create a private block for ${pathText}: all 240 blocks of group ${hex4(group)} are in use`);
}

/** The tag a pattern names in one item, reserving a block for a private creator that has none there (DE-14). */
function tagToCreate(ds: EditableDataset, item: ItemPath, pattern: TagPattern, pathText: string): number {
  if (pattern.creator === undefined) {
    const tag = exactTag(pattern)!;
    if (isPrivateTag(tag) && !isPrivateCreator(tag) && (tag & 0xffff) >>> 8 >= 0x10 && !ds.hasAt(item, tag) && creatorOf(ds, item, tag) === undefined) {
      throw new EngineFault(
        'PRIVATE_BLOCK_MISSING',
        `cannot create ${formatTag(tag)}: its private creator ${formatTag((((tag >>> 16) << 16) | ((tag & 0xffff) >>> 8)) >>> 0)} is absent; set the creator first`,
      );
    }
    return tag;
  }
  const [existing] = matchInItem(ds, item, pattern);
  if (existing !== undefined) return existing;
  const group = parseInt(pattern.group, 16);
  const block = ensureBlock(ds, item, group, pattern.creator, pathText);
  return ((group << 16) | (block << 8) | parseInt(pattern.element, 16)) >>> 0;
}

/**
 * The element `:=` writes. The path must be singular (no digit or level wildcard, `[n]` on every sequence), as in
 * DicomEdit, where assigning to a plural path is an error; `?=` is the way to change every existing match.
 * With `create`, what the path names is made to exist, as DicomEdit does: missing sequences and items up to `[n]`
 * (empty ones in between), and for `(gggg,{creator}ee)` the creator's block, reserved in the first free block
 * (gggg,0010-00FF) when the item has none (DicomEdit fails there, DE-14). Without `create` (a null value), only an
 * element that already exists is returned.
 */
export function assignmentTargets(ds: EditableDataset, path: TagPath, create = true): ElementRef[] {
  const last = lastElement(path);
  if (last.item !== undefined) throw new EngineFault('BAD_ARGUMENT', `cannot assign a value to ${path.text}: it names sequence items, not an element`);
  if (!isSingularPath(path)) {
    throw new EngineFault('PLURAL_TAGPATH', `cannot assign to ${path.text}: the path can match several elements; use ?= to change every existing match`);
  }
  if (!create) return findElements(ds, path);
  let item: ItemPath = [];
  for (const segment of path.segments.slice(0, -1)) {
    if (segment.kind !== 'element' || segment.item?.kind !== 'index') throw new EngineFault('PLURAL_TAGPATH', `cannot assign to ${path.text}`);
    const tag = tagToCreate(ds, item, segment.tag, path.text);
    ds.ensureItem(item, tag, segment.item.index);
    item = [...item, { tag, item: segment.item.index }];
  }
  return [{ item, tag: tagToCreate(ds, item, last.tag, path.text) }];
}

/** The elements `?=` writes: existing matches only, at every containing item. */
export function existingTargets(ds: EditableDataset, path: TagPath): ElementRef[] {
  const last = lastElement(path);
  if (last.item !== undefined) throw new EngineFault('BAD_ARGUMENT', `cannot assign a value to ${path.text}: it names sequence items, not an element`);
  return findElements(ds, path);
}

/**
 * Sort key for deletions: deeper targets first, higher item indices first, so that removing one target never
 * shifts or removes another before it is reached.
 */
function deletionKey(steps: ItemPath, tail: readonly number[]): number[] {
  return [...steps.flatMap((s) => [s.tag, s.item]), ...tail];
}

function compareDescending(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k += 1) if (a[k] !== b[k]) return b[k]! - a[k]!;
  return b.length - a.length;
}

/**
 * Deletes everything a path matches: elements, or whole items for a path ending in `[n]`/`[%]`. DicomEdit fails to
 * delete items (DE-91); we do what the script plainly means.
 */
export function deleteMatches(ds: EditableDataset, path: TagPath): void {
  // The common `-(gggg,eeee)`: one top-level element, nothing to walk or order.
  const only = path.segments.length === 1 ? path.segments[0] : undefined;
  const tag = only?.kind === 'element' && only.item === undefined ? exactTag(only.tag) : undefined;
  if (tag !== undefined) {
    if (ds.hasAt([], tag)) ds.deleteAt([], tag);
    return;
  }
  const matches = resolvePath(ds, path);
  const targets =
    matches.kind === 'elements'
      ? matches.refs.map((r) => ({ key: deletionKey(r.item, [r.tag, -1]), run: () => ds.deleteAt(r.item, r.tag) }))
      : matches.refs.map((r) => ({ key: deletionKey(r.parent, [r.tag, r.index]), run: () => ds.deleteItem(r.parent, r.tag, r.index) }));
  targets.sort((a, b) => compareDescending(a.key, b.key));
  for (const t of targets) t.run();
}

/** True when the path matches at least one element or item. */
export function isPresent(ds: EditableDataset, path: TagPath): boolean {
  return resolvePath(ds, path).refs.length > 0;
}

/** Every element of the dataset at every depth (sequences included), parents before their contents. */
export function allElements(ds: EditableDataset, item: ItemPath = []): ElementRef[] {
  const out: ElementRef[] = [];
  for (const tag of ds.tagsAt(item)) {
    out.push({ item, tag });
    const count = ds.itemCount(item, tag);
    for (let k = 0; k < count; k += 1) out.push(...allElements(ds, [...item, { tag, item: k }]));
  }
  return out;
}
