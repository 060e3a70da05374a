/**
 * Removing private elements at every depth: `removeAllPrivateTags` (keep nothing) and `retainPrivateTags` (keep the
 * listed elements, their creators and the sequences that lead to them). Items that the removal leaves empty are
 * dropped, and so are private sequences left without items, as DicomEdit's DeleteEmptyPrivateBlocksVisitor does.
 */
import type { TagPath } from './ast';
import type { EditableDataset, ItemPath } from './dataset';
import { creatorOf, findElements, isPrivateCreator, isPrivateTag, itemKey } from './tag-path-access';
import { EngineFault } from './runtime-value';

const key = (item: ItemPath, tag: number): string => `${itemKey(item)}|${tag}`;
const creatorTagOf = (tag: number): number => (((tag >>> 16) << 16) | ((tag & 0xffff) >>> 8)) >>> 0;

/** How one private element is treated: kept with everything below it, kept as a way to a kept element, or removed. */
type Keep = 'whole' | 'path' | 'no';

/** Removes private elements everywhere except those `keep` spares; returns nothing, edits in place. */
export function removePrivateTags(ds: EditableDataset, keep: (item: ItemPath, tag: number) => Keep = () => 'no'): void {
  visitItem(ds, [], keep);
}

/** Processes one item; returns true when it held something and holds nothing now. */
function visitItem(ds: EditableDataset, item: ItemPath, keep: (item: ItemPath, tag: number) => Keep): boolean {
  const before = ds.tagsAt(item);
  for (const tag of before) {
    const decision = isPrivateTag(tag) ? keep(item, tag) : 'whole';
    if (decision === 'no') {
      ds.deleteAt(item, tag);
      continue;
    }
    // A kept private element keeps its contents; public sequences and the way to kept elements are visited.
    if (isPrivateTag(tag) && decision === 'whole') continue;
    const count = ds.itemCount(item, tag);
    // Last item first, so that dropping an item never renumbers one still to be visited.
    for (let k = count - 1; k >= 0; k -= 1) {
      if (visitItem(ds, [...item, { tag, item: k }], keep)) ds.deleteItem(item, tag, k);
    }
    if (isPrivateTag(tag) && count > 0 && ds.itemCount(item, tag) === 0) ds.deleteAt(item, tag);
  }
  return before.length > 0 && ds.tagsAt(item).length === 0;
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
    const last = path.segments[path.segments.length - 1];
    if (last?.kind !== 'element' || last.tag.creator === undefined || !/[13579BDF#]$/.test(last.tag.group)) {
      throw new EngineFault('BAD_ARGUMENT', `retainPrivateTags takes private tags with a creator such as (0029,{creator}10), not ${path.text}`);
    }
    for (const ref of findElements(ds, path)) {
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
