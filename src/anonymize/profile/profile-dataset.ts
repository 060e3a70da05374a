/**
 * What the profile needs of a dataset: nested access to every item (the methods of EditableDataset that take an
 * ItemPath), plus two file-level operations of the Part 10 editor. Kept as its own narrow interface so that the
 * profile can be tested against any implementation and does not depend on the byte layer.
 */

/** One step into a sequence: the sequence element's tag and a 0-based item index. */
export interface ItemStep {
  readonly tag: number;
  readonly item: number;
}

/** An item of the dataset: the steps from the root (empty = the root itself). */
export type ItemPath = readonly ItemStep[];

/** Nested read/edit access, as EditableDataset offers it. */
export interface ProfileDataset {
  tagsAt(path: ItemPath): number[];
  getStringAt(path: ItemPath, tag: number): string | undefined;
  setStringAt(path: ItemPath, tag: number, value: string): void;
  deleteAt(path: ItemPath, tag: number): void;
  hasAt(path: ItemPath, tag: number): boolean;
  vrAt(path: ItemPath, tag: number): string | undefined;
  itemCount(path: ItemPath, tag: number): number;
  deleteItem(path: ItemPath, tag: number, index: number): void;
  getBytesAt(path: ItemPath, tag: number): Uint8Array | undefined;
}

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
