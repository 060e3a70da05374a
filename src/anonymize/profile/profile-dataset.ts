/**
 * What the profile needs of a dataset: nested access to every item (the methods of EditableDataset that take an
 * ItemPath), plus two file-level operations of the Part 10 editor. Kept as its own narrow interface so that the
 * profile can be tested against any implementation and does not depend on the byte layer.
 */

import type { EditableDataset, ItemPath } from '../dataset';

export type { ItemPath } from '../dataset';

/** Nested read/edit access: the methods of EditableDataset that take an ItemPath. */
export type ProfileDataset = Pick<
  EditableDataset,
  'tagsAt' | 'getStringAt' | 'setStringAt' | 'deleteAt' | 'hasAt' | 'vrAt' | 'itemCount' | 'deleteItem' | 'getBytesAt'
>;

/** One item of Deidentification Method Code Sequence (0012,0064). */
export interface MethodCodeItem {
  readonly codeValue: string;
  readonly codingSchemeDesignator: string;
  readonly codingSchemeVersion?: string;
  readonly codeMeaning: string;
}

/** File-level operations of a Part 10 file that the profile also performs. */
export interface ProfileFileTarget {
  /** Appends one item to (0012,0064), keeping earlier items (provenance of earlier passes). */
  appendDeidentificationMethodCode(item: MethodCodeItem): void;
  /** Writes the 128-byte preamble as zeros (E.1.1 item 7: it may carry identifying data). */
  clearPreamble(): void;
}

/** Formats an item path and tag as "(0008,1140)[0]>(0008,1155)" for messages and findings; never holds values. */
export function formatTagPath(path: ItemPath, tag: number): string {
  const hex = (t: number): string => {
    const h = t.toString(16).toUpperCase().padStart(8, '0');
    return `(${h.slice(0, 4)},${h.slice(4)})`;
  };
  return [...path.map((s) => `${hex(s.tag)}[${s.item}]`), hex(tag)].join('>');
}
