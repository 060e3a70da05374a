/**
 * An editable view of one DICOM file that changes only the top-level elements it is told to change. It implements
 * the DicomEdit engine's {@link EditableDataset}; `writeEditedFile` turns it into a new file, copying every
 * untouched byte from the input.
 */
import type { EditableDataset } from '../anonymize/dataset';
import { appendCodeItem, readCodeValues, type CodeItem, type SequenceEncoding } from './code-sequence';
import { lookupTag } from './dictionary';
import { NeedBytes } from './element-walker';
import { encodeElement } from './element-encoder';
import { DicomEditError, DicomReadError } from './errors';
import { readDicomFile, type DicomElement, type DicomFileIndex, type ReadOptions } from './reader';
import { PIXEL_DATA_TAGS, TAG, formatTag, isGroupLength, isPrivateTag, tagGroup } from './tags';
import { DEFAULT_REPERTOIRE_CODEC, textCodecFor, type TextCodec } from './text-codec';
import { decodeValue, encodeValue } from './value-codec';

/** A pending change to one top-level element. */
export type ElementEdit =
  | { readonly kind: 'delete' }
  /** A new string value, encoded when written (so a later change of (0008,0005) applies to it). */
  | { readonly kind: 'set'; readonly vr: string; readonly value: string }
  /** A fully encoded replacement element (sequences). */
  | { readonly kind: 'element'; readonly bytes: Buffer };

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
  private preambleCleared = false;

  constructor(readonly index: DicomFileIndex) {
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
    return this.edits.size > 0 || this.preambleCleared;
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
    if (edit?.kind === 'element') return '';
    if (edit?.kind === 'set') return decodeValue(edit.vr, encodeValue(edit.vr, edit.value, this.codec()), this.codec());
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
      vr = this.effectiveVr(existing);
    } else {
      vr = this.vrForNewElement(tag);
    }
    encodeValue(vr, value, this.codec()); // validate now, so the script that set it gets the error
    this.edits.set(tag, { kind: 'set', vr, value });
    const mirror = META_MIRROR.get(tag);
    if (mirror !== undefined) this.setString(mirror, value);
  }

  /** Removes a top-level element (all occurrences); does nothing when it is absent. */
  delete(tag: number): void {
    if (!this.has(tag)) return;
    this.assertEditable(tag);
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
    const all = new Set<number>([...this.original.keys(), ...this.edits.keys()]);
    return [...all].filter((t) => this.has(t)).sort((a, b) => a - b);
  }

  /** Appends one item to Deidentification Method Code Sequence (0012,0064), creating it if absent. */
  appendDeidentificationMethodCode(item: CodeItem): void {
    const tag = TAG.DeidentificationMethodCodeSequence;
    this.assertEditable(tag);
    const current = this.sequenceBytes(tag);
    const bytes = appendCodeItem(tag, current?.bytes, current?.encoding ?? this.newSequenceEncoding(), item, this.codec());
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
    // (0008,0005) is CS, in the default repertoire, so reading it needs no codec (and must not recurse into one).
    const tag = TAG.SpecificCharacterSet;
    const edit = this.edits.get(tag);
    if (edit?.kind === 'set') return textCodecFor(edit.value);
    const element = edit?.kind === 'delete' ? undefined : this.original.get(tag);
    const bytes = element === undefined ? undefined : this.index.valueBytes(element);
    return textCodecFor(bytes === undefined ? undefined : decodeValue('CS', bytes, DEFAULT_REPERTOIRE_CODEC));
  }

  /** Whether a top-level element of this tag is written with explicit VR (group 0002 always is). */
  explicitVrFor(tag: number): boolean {
    return tagGroup(tag) === 0x0002 || this.index.encoding === 'explicit-le';
  }

  /** Encodes a pending 'set' edit as a whole element, with the final character set. */
  encodeSetEdit(tag: number, edit: { vr: string; value: string }): Buffer {
    return encodeElement(tag, edit.vr, encodeValue(edit.vr, edit.value, this.codec()), this.explicitVrFor(tag));
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
      throw new DicomEditError('PRIVATE_TAG', `cannot create private element ${formatTag(tag)}: its VR and private creator are unknown`);
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
