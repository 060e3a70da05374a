/**
 * The view of one DICOM instance that the DicomEdit engine and the PS3.15 profile read and edit.
 * `src/dicom/` implements it over the byte-range editor; tests implement it in memory (test/factories).
 * Tags are numbers: (group << 16 | element) >>> 0, e.g. PatientName (0010,0010) is 0x00100010.
 * Values are strings as DicomEdit sees them: text trimmed of DICOM padding, multiple values joined with "\\".
 *
 * Nested access: an item is named by the chain of (sequence tag, 0-based item index) steps from the root; the
 * empty chain is the root dataset. The top-level methods are the same as the `*At` methods with the root path.
 */
export interface EditableDataset {
  /** The value of a top-level element as a string, or undefined when the element is absent. */
  getString(tag: number): string | undefined;
  /** Writes a string value into a top-level element, creating it with the dictionary VR when absent. */
  setString(tag: number, value: string): void;
  /** Removes a top-level element; does nothing when it is absent. */
  delete(tag: number): void;
  /** True when the top-level element is present (even with an empty value). */
  has(tag: number): boolean;
  /** The top-level tags present, in ascending order. */
  tags(): number[];

  /** Tags present in the root (path []) or in one sequence item, ascending. */
  tagsAt(path: ItemPath): number[];
  /** The value of an element in the root or an item; undefined when absent (or the item does not exist). */
  getStringAt(path: ItemPath, tag: number): string | undefined;
  /**
   * Writes a value in the root or an existing item, creating the element when absent: public tags with the
   * dictionary VR; a private creator element (gggg,00bb) as LO; a private data element only when its creator
   * element exists in the same item (as LO: there is no private dictionary). Never creates items.
   */
  setStringAt(path: ItemPath, tag: number, value: string): void;
  /** Removes an element from the root or an item; does nothing when absent. */
  deleteAt(path: ItemPath, tag: number): void;
  /** True when the element is present in that item. */
  hasAt(path: ItemPath, tag: number): boolean;
  /** The VR of a present element ('SQ', 'UN', 'PN', …), or undefined when absent. */
  vrAt(path: ItemPath, tag: number): string | undefined;
  /** The number of items of the sequence element (path, tag); 0 when absent, empty or not a sequence. */
  itemCount(path: ItemPath, tag: number): number;
  /** Removes item `index` of the sequence element (path, tag); later items move down by one. */
  deleteItem(path: ItemPath, tag: number, index: number): void;
  /**
   * Makes item `index` of the sequence (path, tag) exist, for `:=` on a path such as `(0008,1115)[1]/(0010,0010)`:
   * creates the sequence when absent (a public sequence of the dictionary, or a private one whose creator element
   * exists in that item) and appends empty items up to `index`. The item at `path` itself must exist.
   */
  ensureItem(path: ItemPath, tag: number, index: number): void;
  /** The raw value bytes of a present non-sequence element (UN and binary values); undefined otherwise. */
  getBytesAt(path: ItemPath, tag: number): Uint8Array | undefined;

  /** Geometry of native (uncompressed) pixel data; undefined when there is none or it is encapsulated. */
  pixelGeometry(): PixelGeometry | undefined;
  /**
   * Sets every sample of every pixel in the rectangle columns [left, right) × rows [top, bottom) of every frame
   * to `value` (clamped to the rectangle inside the image). Refused (error) for encapsulated pixel data.
   */
  fillPixelRectangle(rect: PixelRectangle, value: number): void;
}

/** One step into a sequence: the sequence element's tag and a 0-based item index. */
export interface ItemStep {
  readonly tag: number;
  readonly item: number;
}

/** An item of the dataset: the steps from the root (empty = the root itself). */
export type ItemPath = readonly ItemStep[];

/** What alterPixels needs to know of the image. */
export interface PixelGeometry {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  planarConfiguration: number;
}

/** A pixel rectangle: columns [left, right), rows [top, bottom). */
export interface PixelRectangle {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
