/**
 * Reading and editing inside sequence items of a {@link TreeElement}: finding an item by its path of
 * (sequence tag, item index) steps, and setting, inserting and deleting elements or items there. Every change
 * marks the nodes above it as changed, so that encoding redoes exactly the lengths that enclose it.
 */
import type { ItemStep } from '../anonymize/dataset';
import { lookupTag } from './dictionary';
import { DicomEditError } from './errors';
import { encodeTreeValue, itemCodec, itemsExplicitVr, newTreeElement, newTreeItem, newTreeSequence, type TreeElement, type TreeItem } from './sequence-tree';
import { PIXEL_DATA_TAGS, formatTag, isGroupLength, isPrivateTag, tagElement, tagGroup } from './tags';
import type { TextCodec } from './text-codec';

/** An item found by its path, with the chain of nodes above it and its character set. */
export interface FoundItem {
  readonly item: TreeItem;
  /** Every element and item from the top-level sequence down to the item, to be marked when it changes. */
  readonly chain: readonly (TreeElement | TreeItem)[];
  readonly codec: TextCodec;
}

/** Follows `steps` (the first one names `top`) down to an item; undefined when an item does not exist. */
export function findItem(top: TreeElement, steps: readonly ItemStep[], topCodec: TextCodec): FoundItem | undefined {
  const chain: (TreeElement | TreeItem)[] = [];
  let element: TreeElement | undefined = top;
  let codec = topCodec;
  let item: TreeItem | undefined;
  for (const [k, step] of steps.entries()) {
    if (k > 0) element = item?.elements.find((e) => e.tag === step.tag);
    item = element?.items?.[step.item];
    if (element === undefined || item === undefined) return undefined;
    codec = itemCodec(item, codec);
    chain.push(element, item);
  }
  return item === undefined ? undefined : { item, chain, codec };
}

/** The first element of the item with this tag. */
export function elementIn(item: TreeItem, tag: number): TreeElement | undefined {
  return item.elements.find((e) => e.tag === tag);
}

/** Marks the chain changed; each enclosing item redoes the group length of the sequence that grew or shrank. */
function markChain(chain: readonly (TreeElement | TreeItem)[]): void {
  let parent: TreeItem | undefined;
  for (const node of chain) {
    node.dirty = true;
    if ('tag' in node) parent?.changedGroups.add(tagGroup(node.tag));
    else parent = node;
  }
}

function markChanged(found: FoundItem, group: number): void {
  markChain(found.chain);
  found.item.changedGroups.add(group);
}

/** Refuses edits that would misdescribe the bytes: item/delimiter tags, file meta, group lengths, pixel data. */
export function assertEditableInItem(tag: number): void {
  if (tagGroup(tag) === 0xfffe || tagGroup(tag) === 0x0002 || isGroupLength(tag) || PIXEL_DATA_TAGS.has(tag)) {
    throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} cannot be edited inside a sequence item: it describes the encoding`);
  }
}

/** The VR of an element created in an item: dictionary VR; LO for private creators and (DE-14) private data. */
function vrForNew(found: FoundItem, tag: number): string {
  if (isPrivateTag(tag)) {
    const element = tagElement(tag);
    if (element >= 0x10 && element <= 0xff) return 'LO';
    const creator = ((tagGroup(tag) << 16) | (element >>> 8)) >>> 0;
    if (element < 0x1000 || elementIn(found.item, creator) === undefined) {
      throw new DicomEditError('PRIVATE_TAG', `cannot create private element ${formatTag(tag)}: its private creator ${formatTag(creator)} is absent from the item`);
    }
    // No private dictionary: a new private value is written as LO, the VR of short text.
    return 'LO';
  }
  const info = lookupTag(tag);
  if (info === undefined) throw new DicomEditError('UNKNOWN_TAG', `cannot create ${formatTag(tag)}: it is not in the data dictionary`);
  if (info.vr === 'SQ') throw new DicomEditError('UNSUPPORTED_VR', `cannot create sequence ${formatTag(tag)} from a string`);
  return info.vr;
}

/** Sets a value in an item, creating the element (in tag order) when absent. */
export function setInItem(found: FoundItem, tag: number, value: string): void {
  assertEditableInItem(tag);
  const existing = elementIn(found.item, tag);
  if (existing?.items !== undefined) throw new DicomEditError('UNSUPPORTED_VR', `${formatTag(tag)} is a sequence and cannot be set from a string`);
  const vr = existing?.vr ?? vrForNew(found, tag);
  encodeTreeValue(vr, value, found.codec); // validate now, so the script that set it gets the error
  if (existing !== undefined) {
    existing.pending = value;
    existing.dirty = true;
    // Later duplicates of the tag (seen in the wild) would contradict the new value.
    found.item.elements = found.item.elements.filter((e) => e === existing || e.tag !== tag);
  } else {
    const at = found.item.elements.findIndex((e) => e.tag > tag);
    const created = newTreeElement(tag, vr, value, found.item.explicitVr);
    found.item.elements.splice(at < 0 ? found.item.elements.length : at, 0, created);
  }
  markChanged(found, tagGroup(tag));
}

/** Deletes every element of the tag from an item; does nothing when absent. */
export function deleteInItem(found: FoundItem, tag: number): void {
  if (elementIn(found.item, tag) === undefined) return;
  assertEditableInItem(tag);
  found.item.elements = found.item.elements.filter((e) => e.tag !== tag);
  markChanged(found, tagGroup(tag));
}

/** Removes item `index` of a sequence element; `chain` holds the nodes above the sequence element. */
export function deleteItemOf(sequence: TreeElement, index: number, chain: readonly (TreeElement | TreeItem)[]): void {
  if (sequence.items === undefined || index < 0 || index >= sequence.items.length) return;
  sequence.items.splice(index, 1);
  markChain([...chain, sequence]);
}

/** Checks that a sequence may be created with this tag in the item: a dictionary SQ, or private with its creator. */
export function assertNewSequence(tag: number, hasCreator: (creator: number) => boolean): void {
  if (isPrivateTag(tag)) {
    const element = tagElement(tag);
    const creator = ((tagGroup(tag) << 16) | (element >>> 8)) >>> 0;
    if (element < 0x1000 || !hasCreator(creator)) {
      throw new DicomEditError('PRIVATE_TAG', `cannot create private sequence ${formatTag(tag)}: its private creator ${formatTag(creator)} is absent`);
    }
    return;
  }
  if (lookupTag(tag)?.vr !== 'SQ') throw new DicomEditError('UNSUPPORTED_VR', `cannot create items in ${formatTag(tag)}: it is not a sequence`);
}

/** Appends empty items to a sequence until item `index` exists; `chain` holds the nodes above the sequence. */
export function growSequence(sequence: TreeElement, index: number, chain: readonly (TreeElement | TreeItem)[]): void {
  if (sequence.items === undefined) throw new DicomEditError('UNSUPPORTED_VR', `cannot create items in ${formatTag(sequence.tag)}: it is not a sequence`);
  if (sequence.items.length > index) return;
  while (sequence.items.length <= index) sequence.items.push(newTreeItem(itemsExplicitVr(sequence)));
  markChain([...chain, sequence]);
}

/** Makes item `index` of sequence `tag` exist in a found item, creating the sequence element when absent. */
export function ensureItemIn(found: FoundItem, tag: number, index: number): void {
  let sequence = elementIn(found.item, tag);
  if (sequence === undefined) {
    assertEditableInItem(tag);
    assertNewSequence(tag, (creator) => elementIn(found.item, creator) !== undefined);
    sequence = newTreeSequence(tag, found.item.explicitVr);
    const at = found.item.elements.findIndex((e) => e.tag > tag);
    found.item.elements.splice(at < 0 ? found.item.elements.length : at, 0, sequence);
    markChanged(found, tagGroup(tag));
  }
  growSequence(sequence, index, [...found.chain, found.item]);
}
