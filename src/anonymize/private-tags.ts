/**
 * Removing private elements at every depth: `removeAllPrivateTags` (keep nothing) and `retainPrivateTags` (keep the
 * listed elements, their creators and the private sequences that lead to them). Items are never dropped: an item
 * left empty stays, as in DicomEdit, whose DeleteEmptyPrivateBlocksVisitor removes creators of empty blocks only
 * (here a creator is kept only together with a kept element of its block, so no empty block survives).
 */
import type { TagPath } from './ast';
import type { EditableDataset, ItemPath } from './dataset';
import { allElements, containingItems, creatorOf, findElements, isPrivateCreator, isPrivateTag, itemKey, type ElementRef } from './tag-path-access';
import { EngineFault } from './runtime-value';

const key = (item: ItemPath, tag: number): string => `${itemKey(item)}|${tag}`;
const creatorTagOf = (tag: number): number => (((tag >>> 16) << 16) | ((tag & 0xffff) >>> 8)) >>> 0;

/** How one private element is treated: kept with everything below it, kept as a way to a kept element, or removed. */
type Keep = 'whole' | 'path' | 'no';

/** Removes private elements everywhere except those `keep` spares; returns nothing, edits in place. */
export function removePrivateTags(ds: EditableDataset, keep: (item: ItemPath, tag: number) => Keep = () => 'no'): void {
  visitItem(ds, [], keep);
}

/** Processes one item and, through it, every item below. */
function visitItem(ds: EditableDataset, item: ItemPath, keep: (item: ItemPath, tag: number) => Keep): void {
  for (const tag of ds.tagsAt(item)) {
    const decision = isPrivateTag(tag) ? keep(item, tag) : 'whole';
    if (decision === 'no') {
      ds.deleteAt(item, tag);
      continue;
    }
    // A kept private element keeps its contents; public sequences and the way to kept elements are visited.
    if (isPrivateTag(tag) && decision === 'whole') continue;
    const count = ds.itemCount(item, tag);
    for (let k = 0; k < count; k += 1) visitItem(ds, [...item, { tag, item: k }], keep);
  }
}

/**
 * retainPrivateTags[paths…]: every private element is removed except the ones the paths match (resolved before
 * anything is removed), their private creators, and the private sequences and creators on the way to them.
 * Paths must name private elements with a creator, as DicomEdit requires (the checker says so for literals).
 */
export function retainPrivateTags(ds: EditableDataset, paths: readonly TagPath[]): void {
  const decisions = new Map<string, Keep>();
  const mark = (item: ItemPath, tag: number, decision: Keep): void => {
    if (decisions.get(key(item, tag)) !== 'whole') decisions.set(key(item, tag), decision);
    if (isPrivateTag(tag) && !isPrivateCreator(tag)) decisions.set(key(item, creatorTagOf(tag)), 'whole');
  };
  for (const path of paths) {
    for (const ref of retainedBy(ds, path)) {
      mark(ref.item, ref.tag, 'whole');
      // The sequences (and their creators) that lead to a kept element stay too.
      for (let depth = ref.item.length - 1; depth >= 0; depth -= 1) {
        const step = ref.item[depth]!;
        const parent = ref.item.slice(0, depth);
        if (isPrivateTag(step.tag) && creatorOf(ds, parent, step.tag) !== undefined) mark(parent, step.tag, 'path');
        else if (isPrivateTag(step.tag)) decisions.set(key(parent, step.tag), 'path');
      }
    }
  }
  removePrivateTags(ds, (item, tag) => decisions.get(key(item, tag)) ?? 'no');
}

/**
 * The elements a retain path keeps: the matches of a private path, or, for a path ending in a level wildcard below
 * a private sequence (`(0019,{pb1}F0)/(0023,{pb2}15)[%]/*`), everything in the items it reaches.
 */
function retainedBy(ds: EditableDataset, path: TagPath): ElementRef[] {
  const last = path.segments[path.segments.length - 1];
  const underPrivate = path.segments.some((s) => s.kind === 'element' && s.tag.creator !== undefined);
  if (last?.kind === 'level' && underPrivate) return containingItems(ds, path).flatMap((item) => allElements(ds, item));
  if (last?.kind !== 'element' || last.tag.creator === undefined || !/[13579BDF#]$/.test(last.tag.group)) {
    throw new EngineFault('BAD_ARGUMENT', `retainPrivateTags takes private tags with a creator such as (0029,{creator}10), not ${path.text}`);
  }
  return findElements(ds, path);
}
