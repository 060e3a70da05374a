/**
 * Turns an editor's pending edits into the list of byte pieces of the output file: ranges copied from the input
 * and new bytes. Group lengths (gggg,0000) of groups that changed are recomputed, so (0002,0000) stays right.
 */
import type { DicomEditor } from './editor';
import { TAG, isGroupLength, tagGroup } from './tags';

/** One piece of output: a byte range of the input file, or bytes held in memory. */
export type WritePiece = { readonly kind: 'copy'; readonly from: number; readonly to: number } | { readonly kind: 'bytes'; readonly bytes: Buffer };

function pieceSize(piece: WritePiece): number {
  return piece.kind === 'copy' ? piece.to - piece.from : piece.bytes.length;
}

/**
 * The output pieces being collected: adjacent copies are merged as they come and empty copies dropped, so that an
 * untouched element costs no allocation (this runs for every element of every file of a batch).
 */
class PieceList {
  readonly pieces: WritePiece[] = [];
  private lastCopy: { kind: 'copy'; from: number; to: number } | undefined;

  copy(from: number, to: number): void {
    if (to === from) return;
    if (this.lastCopy !== undefined && this.lastCopy.to === from) {
      this.lastCopy.to = to;
      return;
    }
    this.lastCopy = { kind: 'copy', from, to };
    this.pieces.push(this.lastCopy);
  }

  bytes(bytes: Buffer): number {
    this.lastCopy = undefined;
    return this.pieces.push({ kind: 'bytes', bytes }) - 1;
  }

  add(piece: WritePiece): void {
    if (piece.kind === 'copy') this.copy(piece.from, piece.to);
    else this.bytes(piece.bytes);
  }
}

/** A group length whose group changed: where its placeholder is, and what to write there once sizes are known. */
interface GroupLengthSlot {
  readonly piece: number;
  readonly group: number;
  readonly bytes: Buffer;
  readonly valueAt: number;
}

/** The pieces that make up the edited file, in order; adjacent copies are merged. */
export function planWrite(editor: DicomEditor): WritePiece[] {
  const index = editor.index;
  const edits = editor.pendingEdits;
  const added: number[] = [];
  const changedGroups = new Set<number>();
  for (const tag of edits.keys()) {
    changedGroups.add(tagGroup(tag));
    if (editor.originalElement(tag) === undefined) added.push(tag);
  }
  added.sort((a, b) => a - b);
  let nextAdded = 0;
  const isMeta = (tag: number): boolean => tagGroup(tag) === 0x0002;
  // Output bytes of each changed group, for its group length (gggg,0000).
  const groupBytes = new Map<number, number>();
  const count = (tag: number, size: number): void => {
    const group = tagGroup(tag);
    if (changedGroups.has(group)) groupBytes.set(group, (groupBytes.get(group) ?? 0) + size);
  };
  const slots: GroupLengthSlot[] = [];
  const out = new PieceList();
  out.add(editor.clearsPreamble ? { kind: 'bytes', bytes: Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1')]) } : { kind: 'copy', from: 0, to: index.metaStart });

  const emitNew = (tag: number): void => {
    const edit = edits.get(tag);
    const bytes = edit === undefined ? undefined : editor.encodeEdit(tag, edit);
    if (bytes === undefined) return;
    out.bytes(bytes);
    count(tag, bytes.length);
  };
  // New elements go before the first original element of the same part (meta or dataset) with a higher tag.
  const flushAddedBefore = (limit: number, meta: boolean): void => {
    while (nextAdded < added.length && added[nextAdded]! < limit && isMeta(added[nextAdded]!) === meta) emitNew(added[nextAdded++]!);
  };

  const seen = new Set<number>();
  let inMeta = true;
  for (const element of index.elements) {
    const tag = element.tag;
    if (inMeta && !isMeta(tag)) {
      flushAddedBefore(0x00030000, true);
      inMeta = false;
    }
    if (nextAdded < added.length) flushAddedBefore(tag, inMeta);
    const edit = edits.get(tag);
    const duplicate = seen.has(tag);
    seen.add(tag);
    if (edit === undefined && tag === TAG.PixelData && !duplicate && editor.pixelEdits.hasEdits) {
      // alterPixels: the header and untouched samples are copied, the filled runs written in their place.
      const pieces: WritePiece[] = [{ kind: 'copy', from: element.start, to: element.valueOffset }, ...editor.pixelEdits.pieces(element)];
      for (const piece of pieces) out.add(piece);
      count(tag, pieces.reduce((n, p) => n + pieceSize(p), 0));
    } else if (edit === undefined) {
      const bytes = isGroupLength(tag) && changedGroups.has(tagGroup(tag)) ? index.elementBytes(element) : undefined;
      if (bytes !== undefined && element.end - element.valueOffset === 4) {
        // Rewritten below, once the group's other elements are counted; the same size as the original.
        slots.push({ piece: out.bytes(bytes), group: tagGroup(tag), bytes, valueAt: element.valueOffset - element.start });
      } else {
        out.copy(element.start, element.end);
      }
      count(tag, element.end - element.start);
    } else if (!duplicate) {
      const bytes = editor.encodeEdit(tag, edit);
      if (bytes !== undefined) {
        out.bytes(bytes);
        count(tag, bytes.length);
      }
    }
    // Deleted elements, and later duplicates of an edited tag, are left out.
  }
  if (inMeta) flushAddedBefore(0x00030000, true);
  flushAddedBefore(0x1_0000_0000, false);

  for (const slot of slots) {
    const updated = Buffer.from(slot.bytes);
    // The group's length without this element itself.
    updated.writeUInt32LE((groupBytes.get(slot.group) ?? 0) - slot.bytes.length, slot.valueAt);
    out.pieces[slot.piece] = { kind: 'bytes', bytes: updated };
  }
  return out.pieces;
}
