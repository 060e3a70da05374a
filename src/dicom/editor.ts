/**
 * An editable view of one DICOM file that changes only the elements it is told to change, at the top level or
 * inside sequence items at any depth. It implements the DicomEdit engine's {@link EditableDataset};
 * `writeEditedFile` turns it into a new file, copying every untouched byte from the input. A top-level sequence is
 * opened up into a tree (sequence-tree.ts) only when something inside it is read or edited.
 */
import type { EditableDataset, ItemPath, PixelGeometry, PixelRectangle } from '../anonymize/dataset';
import { appendCodeItem, appendSequenceItem, readCodeValues, type CodeItem, type SequenceEncoding } from './code-sequence';
import { ENCRYPTED_ATTRIBUTES_SEQUENCE, encryptedAttributesItemBody } from './encrypted-attributes';
import { lookupTag } from './dictionary';
import { NeedBytes } from './element-walker';
import { encodeElement } from './element-encoder';
import { DicomEditError, DicomReadError } from './errors';
import { assertNewSequence, deleteInItem, deleteItemOf, elementIn, ensureItemIn, findItem, growSequence, setInItem, type FoundItem } from './item-edits';
import { PixelEdits } from './pixel-edits';
import { encodeTreeElement, encodeTreeValue, newTreeSequence, parseSequenceElement, readTreeValue, type TreeElement } from './sequence-tree';
import { readDicomFile, type DicomElement, type DicomFileIndex, type ReadOptions } from './reader';
import { PIXEL_DATA_TAGS, TAG, formatTag, isGroupLength, isPrivateTag, tagGroup } from './tags';
import { DEFAULT_REPERTOIRE_CODEC, textCodecFor, type TextCodec } from './text-codec';
import { decodeValue } from './value-codec';

/** A pending change to one top-level element. */
export type ElementEdit =
  | { readonly kind: 'delete' }
  /** A new string value, encoded when written (so a later change of (0008,0005) applies to it). */
  | { readonly kind: 'set'; readonly vr: string; readonly value: string }
  /** A fully encoded replacement element (sequences). */
  | { readonly kind: 'element'; readonly bytes: Buffer }
  /** A sequence edited inside its items, encoded when written. */
  | { readonly kind: 'sequence'; readonly tree: TreeElement };

// Editing these would misdescribe the bytes that follow; group lengths are recomputed by the writer instead.
const NOT_EDITABLE: ReadonlySet<number> = new Set([TAG.TransferSyntaxUID, TAG.FileMetaInformationGroupLength]);
// The file meta group repeats these dataset UIDs (PS3.10 §7.1); an edit of one is applied to both.
const META_MIRROR: ReadonlyMap<number, number> = new Map([
  [TAG.SOPInstanceUID, TAG.MediaStorageSOPInstanceUID],
  [TAG.SOPClassUID, TAG.MediaStorageSOPClassUID],
]);

/** Edits one DICOM file in place of its top-level elements; see `writeEditedFile` to save the result. */
export class DicomEditor implements EditableDataset {
  private readonly original = new Map<number, DicomElement>();
  private readonly edits = new Map<number, ElementEdit>();
  /** Top-level elements opened as trees (sequences, or undefined items for values that are not sequences). */
  private readonly trees = new Map<number, TreeElement>();
  /** The tags of `original`, ascending (built on first use). */
  private originalTags: number[] | undefined;
  private preambleCleared = false;
  /** codec() for the edit of (0008,0005) it was built for (undefined: the original value). */
  private cachedCodec: TextCodec | undefined;
  private cachedCodecEdit: ElementEdit | undefined;
  /** Rectangles to fill in native pixel data (alterPixels). */
  readonly pixelEdits: PixelEdits;

  constructor(readonly index: DicomFileIndex) {
    this.pixelEdits = new PixelEdits(this);
    // With duplicate tags (seen in the wild) the first occurrence is the one read; edits drop the others.
    for (const element of index.elements) if (!this.original.has(element.tag)) this.original.set(element.tag, element);
  }

  /** Reads `path` (see {@link readDicomFile}) and returns an editor over it. */
  static async open(path: string, options?: ReadOptions): Promise<DicomEditor> {
    return new DicomEditor(await readDicomFile(path, options));
  }

  /** The pending edits by tag, for the writer. */
  get pendingEdits(): ReadonlyMap<number, ElementEdit> {
    return this.edits;
  }

  /** True when writing would produce different bytes from the input. */
  get isModified(): boolean {
    return this.edits.size > 0 || this.preambleCleared || this.pixelEdits.hasEdits;
  }

  /** True when the 128-byte preamble will be written as zeros (it may hold non-DICOM data such as TIFF headers). */
  get clearsPreamble(): boolean {
    return this.preambleCleared;
  }

  /** Writes the preamble as zeros (PS3.10 §7.1 allows it; a dual-format preamble can carry identifying data). */
  clearPreamble(): void {
    this.preambleCleared = true;
  }

  /** The element as read from the file, or undefined. */
  originalElement(tag: number): DicomElement | undefined {
    return this.original.get(tag);
  }

  /**
   * The value as a string: text without padding, numbers as decimals joined with "\\"; '' for SQ, OB, OW, UN and
   * values left on disk (pixel data). Throws UNSUPPORTED_CHARSET for non-ASCII text in a character set we cannot decode.
   */
  getString(tag: number): string | undefined {
    const edit = this.edits.get(tag);
    if (edit?.kind === 'delete') return undefined;
    if (edit?.kind === 'element' || edit?.kind === 'sequence') return '';
    if (edit?.kind === 'set') return edit.vr === 'UN' ? edit.value : decodeValue(edit.vr, encodeTreeValue(edit.vr, edit.value, this.codec()), this.codec());
    const element = this.original.get(tag);
    if (element === undefined) return undefined;
    const bytes = this.index.valueBytes(element);
    if (bytes === undefined) return '';
    return decodeValue(this.effectiveVr(element), bytes, this.codec());
  }

  /** Sets a value, creating the element with its dictionary VR when absent; keeps the meta group's UIDs in sync. */
  setString(tag: number, value: string): void {
    this.assertEditable(tag);
    if (PIXEL_DATA_TAGS.has(tag)) throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} (pixel data) cannot be set from a string`);
    if (isGroupLength(tag)) throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} is a group length; it is recomputed when the file is written`);
    const existing = this.edits.get(tag)?.kind === 'delete' ? undefined : this.original.get(tag);
    let vr: string;
    if (existing !== undefined) {
      if (!existing.loaded) throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} is a bulk value left on disk and cannot be set from a string`);
      if (this.treeFor(tag)?.items !== undefined) throw new DicomEditError('UNSUPPORTED_VR', `${formatTag(tag)} is a sequence and cannot be set from a string`);
      vr = this.effectiveVr(existing);
    } else {
      vr = this.vrForNewElement(tag);
    }
    encodeTreeValue(vr, value, this.codec()); // validate now, so the script that set it gets the error
    this.trees.delete(tag);
    this.edits.set(tag, { kind: 'set', vr, value });
    const mirror = META_MIRROR.get(tag);
    if (mirror !== undefined) this.setString(mirror, value);
  }

  /** Removes a top-level element (all occurrences); does nothing when it is absent. */
  delete(tag: number): void {
    if (!this.has(tag)) return;
    this.assertEditable(tag);
    this.trees.delete(tag);
    if (this.original.has(tag)) this.edits.set(tag, { kind: 'delete' });
    else this.edits.delete(tag);
  }

  /** True when the top-level element is present (even with an empty value). */
  has(tag: number): boolean {
    const edit = this.edits.get(tag);
    if (edit !== undefined) return edit.kind !== 'delete';
    return this.original.has(tag);
  }

  /** The top-level tags present (file meta group included), in ascending order. */
  tags(): number[] {
    // The original tags are sorted once: the profile asks for them in every file, before and after its edits.
    this.originalTags ??= [...this.original.keys()].sort((a, b) => a - b);
    const tags = this.edits.size === 0 ? this.originalTags.slice() : this.originalTags.filter((t) => this.has(t));
    let added = false;
    for (const tag of this.edits.keys()) {
      if (!this.original.has(tag) && this.has(tag)) {
        tags.push(tag);
        added = true;
      }
    }
    return added ? tags.sort((a, b) => a - b) : tags;
  }

  /** Appends one item to Deidentification Method Code Sequence (0012,0064), creating it if absent. */
  appendDeidentificationMethodCode(item: CodeItem): void {
    const tag = TAG.DeidentificationMethodCodeSequence;
    this.assertEditable(tag);
    const current = this.sequenceBytes(tag);
    const bytes = appendCodeItem(tag, current?.bytes, current?.encoding ?? this.newSequenceEncoding(), item, this.codec());
    this.trees.delete(tag);
    this.edits.set(tag, { kind: 'element', bytes });
  }

  /**
   * Appends one item to Encrypted Attributes Sequence (0400,0500): Encrypted Content Transfer Syntax UID and the
   * Encrypted Content (a CMS EnvelopedData) of the originals (encrypted-attributes.ts). Earlier items are kept.
   */
  appendEncryptedAttributes(content: Buffer): void {
    const tag = ENCRYPTED_ATTRIBUTES_SEQUENCE;
    this.assertEditable(tag);
    const current = this.sequenceBytes(tag);
    const encoding = current?.encoding ?? this.newSequenceEncoding();
    const bytes = appendSequenceItem(tag, current?.bytes, encoding, encryptedAttributesItemBody(content, encoding.itemsExplicitVr));
    this.trees.delete(tag);
    this.edits.set(tag, { kind: 'element', bytes });
  }

  /** The Code Values of the items of Deidentification Method Code Sequence (0012,0064), in order. */
  getDeidentificationMethodCodes(): string[] {
    const current = this.sequenceBytes(TAG.DeidentificationMethodCodeSequence);
    if (current === undefined) return [];
    try {
      return readCodeValues(current.bytes, current.encoding, this.codec());
    } catch (e) {
      if (e instanceof NeedBytes) {
        throw new DicomReadError('BAD_LENGTH', `an item of ${formatTag(TAG.DeidentificationMethodCodeSequence)} runs past the end of the sequence`);
      }
      throw e;
    }
  }

  /** The text codec for the current (0008,0005), edits included. */
  codec(): TextCodec {
    // Every text value read or written asks for the codec; building it (decoding (0008,0005), parsing its terms)
    // is done again only when the edit of (0008,0005) changes. Each edit is a new object, so identity tells.
    const tag = TAG.SpecificCharacterSet;
    const edit = this.edits.get(tag);
    if (this.cachedCodec !== undefined && this.cachedCodecEdit === edit) return this.cachedCodec;
    let codec: TextCodec;
    if (edit?.kind === 'set') codec = textCodecFor(edit.value);
    else {
      // (0008,0005) is CS, in the default repertoire, so reading it needs no codec (and must not recurse into one).
      const element = edit?.kind === 'delete' ? undefined : this.original.get(tag);
      const bytes = element === undefined ? undefined : this.index.valueBytes(element);
      codec = textCodecFor(bytes === undefined ? undefined : decodeValue('CS', bytes, DEFAULT_REPERTOIRE_CODEC));
    }
    this.cachedCodec = codec;
    this.cachedCodecEdit = edit;
    return codec;
  }

  /** Whether a top-level element of this tag is written with explicit VR (group 0002 always is). */
  explicitVrFor(tag: number): boolean {
    return tagGroup(tag) === 0x0002 || this.index.encoding === 'explicit-le';
  }

  /** Encodes a pending 'set' edit as a whole element, with the final character set. */
  encodeSetEdit(tag: number, edit: { vr: string; value: string }): Buffer {
    return encodeElement(tag, edit.vr, encodeTreeValue(edit.vr, edit.value, this.codec()), this.explicitVrFor(tag));
  }

  /** The bytes that replace a top-level element for an edit; undefined for a delete. */
  encodeEdit(tag: number, edit: ElementEdit): Buffer | undefined {
    switch (edit.kind) {
      case 'delete':
        return undefined;
      case 'set':
        return this.encodeSetEdit(tag, edit);
      case 'element':
        return edit.bytes;
      case 'sequence':
        return encodeTreeElement(edit.tree, this.codec());
    }
  }

  // ---- Nested access (EditableDataset's *At methods); the empty path is the top level. ----

  /** Tags present in the root or in one item, ascending. */
  tagsAt(path: ItemPath): number[] {
    if (path.length === 0) return this.tags();
    const found = this.itemAt(path);
    return found === undefined ? [] : [...new Set(found.item.elements.map((e) => e.tag))].sort((a, b) => a - b);
  }

  /** The value of an element in the root or an item; undefined when absent. */
  getStringAt(path: ItemPath, tag: number): string | undefined {
    if (path.length === 0) return this.getString(tag);
    const found = this.itemAt(path);
    const element = found && elementIn(found.item, tag);
    return element === undefined ? undefined : readTreeValue(element, found!.codec);
  }

  /** Writes a value in the root or an existing item, creating the element when absent (never items). */
  setStringAt(path: ItemPath, tag: number, value: string): void {
    if (path.length === 0) return this.setString(tag, value);
    this.assertEditable(path[0]!.tag);
    const found = this.itemAt(path);
    if (found === undefined) throw new DicomEditError('NOT_EDITABLE', `cannot set ${formatTag(tag)}: the sequence item it belongs to does not exist`);
    setInItem(found, tag, value);
    this.touched(path[0]!.tag);
  }

  /** Removes an element from the root or an item; does nothing when absent. */
  deleteAt(path: ItemPath, tag: number): void {
    if (path.length === 0) return this.delete(tag);
    const found = this.itemAt(path);
    if (found === undefined || elementIn(found.item, tag) === undefined) return;
    this.assertEditable(path[0]!.tag);
    deleteInItem(found, tag);
    this.touched(path[0]!.tag);
  }

  /** True when the element is present in that item. */
  hasAt(path: ItemPath, tag: number): boolean {
    if (path.length === 0) return this.has(tag);
    const found = this.itemAt(path);
    return found !== undefined && elementIn(found.item, tag) !== undefined;
  }

  /** The VR of a present element ('SQ' for sequences, also those written as UN), or undefined. */
  vrAt(path: ItemPath, tag: number): string | undefined {
    const element = this.elementAt(path, tag);
    if (element !== undefined) return element.vr;
    if (path.length > 0 || !this.has(tag)) return undefined;
    const edit = this.edits.get(tag);
    if (edit?.kind === 'set') return edit.vr;
    const original = this.original.get(tag);
    return original === undefined ? 'SQ' : this.effectiveVr(original);
  }

  /** The number of items of a sequence element; 0 when absent or not a sequence. */
  itemCount(path: ItemPath, tag: number): number {
    return this.elementAt(path, tag)?.items?.length ?? 0;
  }

  /** Removes one item of a sequence; later items move down by one. */
  deleteItem(path: ItemPath, tag: number, index: number): void {
    const sequence = this.elementAt(path, tag);
    if (sequence?.items === undefined || index >= sequence.items.length) return;
    const top = path.length === 0 ? tag : path[0]!.tag;
    this.assertEditable(top);
    const chain = path.length === 0 ? [] : this.itemAt(path)!.chain;
    deleteItemOf(sequence, index, chain);
    this.touched(top);
  }

  /** Makes item `index` of a sequence exist, creating the sequence and empty items as needed (for `:=`). */
  ensureItem(path: ItemPath, tag: number, index: number): void {
    const top = path.length === 0 ? tag : path[0]!.tag;
    this.assertEditable(top);
    if (path.length > 0) {
      const found = this.itemAt(path);
      if (found === undefined) throw new DicomEditError('NOT_EDITABLE', `cannot create an item of ${formatTag(tag)}: the item it belongs to does not exist`);
      ensureItemIn(found, tag, index);
    } else {
      let tree = this.has(tag) ? this.treeFor(tag) : undefined;
      if (this.has(tag) && tree?.items === undefined) throw new DicomEditError('UNSUPPORTED_VR', `cannot create items in ${formatTag(tag)}: it is not a sequence`);
      if (tree === undefined) {
        assertNewSequence(tag, (creator) => this.has(creator));
        tree = newTreeSequence(tag, this.index.encoding === 'explicit-le');
        this.trees.set(tag, tree);
      }
      growSequence(tree, index, []);
    }
    this.touched(top);
  }

  /** The value bytes of a present element that is not a sequence; undefined otherwise (or left on disk). */
  getBytesAt(path: ItemPath, tag: number): Uint8Array | undefined {
    if (path.length === 0) {
      const edit = this.edits.get(tag);
      if (edit !== undefined) {
        if (edit.kind !== 'set') return undefined;
        return encodeTreeValue(edit.vr, edit.value, this.codec());
      }
      const element = this.original.get(tag);
      if (element === undefined || this.treeFor(tag)?.items !== undefined) return undefined;
      return this.index.valueBytes(element);
    }
    const found = this.itemAt(path);
    const element = found && elementIn(found.item, tag);
    if (element === undefined || element.items !== undefined) return undefined;
    return element.pending === undefined ? element.value : encodeTreeValue(element.vr, element.pending, found!.codec);
  }

  /** Geometry of native pixel data; undefined when there is none or it is encapsulated. */
  pixelGeometry(): PixelGeometry | undefined {
    return this.pixelEdits.geometry();
  }

  /** Fills a rectangle of every frame with one value (alterPixels); refused for encapsulated pixel data. */
  fillPixelRectangle(rect: PixelRectangle, value: number): void {
    this.pixelEdits.fill(rect, value);
  }

  /** The element at (path, tag) as a tree node; for the root, only top-level sequences are trees. */
  private elementAt(path: ItemPath, tag: number): TreeElement | undefined {
    if (path.length === 0) return this.has(tag) ? this.treeFor(tag) : undefined;
    const found = this.itemAt(path);
    return found && elementIn(found.item, tag);
  }

  private itemAt(path: ItemPath): FoundItem | undefined {
    const top = this.treeFor(path[0]!.tag);
    return top === undefined ? undefined : findItem(top, path, this.codec());
  }

  /** Records that the tree of a top-level sequence changed, so that the writer encodes it. */
  private touched(tag: number): void {
    const tree = this.trees.get(tag);
    if (tree !== undefined) this.edits.set(tag, { kind: 'sequence', tree });
  }

  /**
   * The top-level element as a tree, parsed once; undefined when absent or when it cannot hold items (text,
   * numbers, pixel data). A sequence too large to be held in memory is refused rather than skipped.
   */
  private treeFor(tag: number): TreeElement | undefined {
    const cached = this.trees.get(tag);
    if (cached !== undefined) return cached;
    const edit = this.edits.get(tag);
    if (edit?.kind === 'delete' || edit?.kind === 'set' || PIXEL_DATA_TAGS.has(tag)) return undefined;
    let bytes: Buffer | undefined;
    if (edit?.kind === 'element') bytes = edit.bytes;
    else if (edit?.kind === 'sequence') return edit.tree;
    else {
      const element = this.original.get(tag);
      if (element === undefined) return undefined;
      const mayHoldItems = !element.explicitVr || element.vr === 'SQ' || element.vr === 'UN';
      if (!mayHoldItems) return undefined;
      bytes = this.index.elementBytes(element);
      if (bytes === undefined) {
        if (element.vr === 'SQ' || lookupTag(tag)?.vr === 'SQ' || element.lengthField === 0xffffffff) {
          throw new DicomEditError('NOT_EDITABLE', `sequence ${formatTag(tag)} is too large to be read in memory`);
        }
        return undefined;
      }
    }
    const tree = parseSequenceElement(bytes, this.explicitVrFor(tag));
    this.trees.set(tag, tree);
    return tree;
  }

  /**
   * The VR used to read and write an existing element: the header's, except where the header could not say it
   * (implicit VR, or explicit UN for a standard tag), where the dictionary's is used.
   */
  private effectiveVr(element: DicomElement): string {
    const info = lookupTag(element.tag);
    if (element.explicitVr && element.vr !== 'UN') return element.vr;
    if (info === undefined || info.vr === 'SQ' || element.lengthField === 0xffffffff) return element.vr;
    // US or SS by Pixel Representation (PS3.5 Annex A: implicit VR uses the context's choice).
    if (info.ambiguous && info.vr === 'US' && this.getString(TAG.PixelRepresentation) === '1') return 'SS';
    return info.vr;
  }

  private vrForNewElement(tag: number): string {
    if (isPrivateTag(tag)) {
      // A creator (gggg,00bb) is LO by definition; a private data element only inside an existing block, as LO
      // (there is no private dictionary to say better; DE-14 in docs/dicomedit.md).
      const element = tag & 0xffff;
      if (element >= 0x10 && element <= 0xff) return 'LO';
      const creator = (((tag >>> 16) << 16) | (element >>> 8)) >>> 0;
      if (element >= 0x1000 && this.has(creator)) return 'LO';
      throw new DicomEditError('PRIVATE_TAG', `cannot create private element ${formatTag(tag)}: its private creator ${formatTag(creator)} is absent`);
    }
    const info = lookupTag(tag);
    if (info === undefined) throw new DicomEditError('UNKNOWN_TAG', `cannot create ${formatTag(tag)}: it is not in the data dictionary`);
    if (info.ambiguous && info.vr === 'US' && this.getString(TAG.PixelRepresentation) === '1') return 'SS';
    return info.vr;
  }

  private assertEditable(tag: number): void {
    if (NOT_EDITABLE.has(tag) || tagGroup(tag) === 0xfffe || (tagGroup(tag) === 0x0002 && isGroupLength(tag))) {
      throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} cannot be edited: it describes the encoding of the file`);
    }
    if (this.original.has(TAG.DirectoryRecordSequence)) {
      // DICOMDIR records hold byte offsets that any length change would invalidate.
      throw new DicomEditError('NOT_EDITABLE', 'this file is a DICOMDIR; its records hold byte offsets, so it is not edited');
    }
  }

  private newSequenceEncoding(): SequenceEncoding {
    const explicitVr = this.index.encoding === 'explicit-le';
    return { explicitVr, itemsExplicitVr: explicitVr };
  }

  /** The current encoded sequence element (edited or original) and how it is encoded; undefined when absent. */
  private sequenceBytes(tag: number): { bytes: Buffer; encoding: SequenceEncoding } | undefined {
    const edit = this.edits.get(tag);
    if (edit?.kind === 'delete') return undefined;
    if (edit?.kind === 'sequence') {
      const element = this.original.get(tag);
      const encoding = element === undefined ? this.newSequenceEncoding() : { explicitVr: element.explicitVr, itemsExplicitVr: element.explicitVr && element.vr === 'SQ' };
      return { bytes: encodeTreeElement(edit.tree, this.codec()), encoding };
    }
    if (edit?.kind === 'element') {
      const element = this.original.get(tag);
      const base = this.newSequenceEncoding();
      // An original UN-encoded sequence keeps its encoding through edits (appendCodeItem keeps its header).
      return { bytes: edit.bytes, encoding: element?.vr === 'UN' && element.explicitVr ? { explicitVr: true, itemsExplicitVr: false } : base };
    }
    if (edit?.kind === 'set') throw new DicomEditError('UNSUPPORTED_VR', `${formatTag(tag)} was set from a string and is not a sequence`);
    const element = this.original.get(tag);
    if (element === undefined) return undefined;
    const bytes = this.index.elementBytes(element);
    if (bytes === undefined) throw new DicomEditError('NOT_EDITABLE', `${formatTag(tag)} is too large to edit in memory`);
    if (element.explicitVr && element.vr !== 'SQ' && element.vr !== 'UN') {
      throw new DicomEditError('UNSUPPORTED_VR', `${formatTag(tag)} is encoded as ${element.vr}, not as a sequence`);
    }
    // A sequence written as UN holds implicit VR LE items (PS3.5 §6.2.2), whatever the transfer syntax.
    return { bytes, encoding: { explicitVr: element.explicitVr, itemsExplicitVr: element.explicitVr && element.vr === 'SQ' } };
  }
}

/** Reads a Part 10 file and returns an editor over it (the byte layer's entry point). */
export function openDicom(path: string, options?: ReadOptions): Promise<DicomEditor> {
  return DicomEditor.open(path, options);
}
