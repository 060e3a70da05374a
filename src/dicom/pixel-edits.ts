/**
 * alterPixels on native (uncompressed) pixel data: rectangles to fill with one value in every frame. Nothing is
 * loaded: the writer copies the pixel data by ranges and writes the filled runs in their place, so a large
 * multi-frame image costs no more memory than the runs themselves. Encapsulated (compressed) pixel data is refused:
 * decoding and re-encoding it would not be lossless.
 */
import type { PixelGeometry, PixelRectangle } from '../anonymize/dataset';
import { DicomEditError } from './errors';
import type { DicomElement } from './reader';
import { TAG } from './tags';

/** What the pixel layer needs from the editor (kept narrow to avoid a circular dependency). */
export interface PixelSource {
  getString(tag: number): string | undefined;
  originalElement(tag: number): DicomElement | undefined;
  readonly index: { readonly transferSyntaxUid: string };
}

/** One piece of the pixel data value as written: a range of the input, or fill bytes. */
export type PixelPiece = { readonly kind: 'copy'; readonly from: number; readonly to: number } | { readonly kind: 'bytes'; readonly bytes: Buffer };

const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
const Rows = 0x00280010;
const Columns = 0x00280011;
const NumberOfFrames = 0x00280008;
const SamplesPerPixel = 0x00280002;
const BitsAllocated = 0x00280100;
const PlanarConfiguration = 0x00280006;

function refuse(why: string): DicomEditError {
  return new DicomEditError('NOT_EDITABLE', `pixel data cannot be altered: ${why}`);
}

/** The pending alterPixels rectangles of one editor. */
export class PixelEdits {
  private readonly fills: { rect: PixelRectangle; value: number }[] = [];

  constructor(private readonly source: PixelSource) {}

  /** True when a rectangle was filled. */
  get hasEdits(): boolean {
    return this.fills.length > 0;
  }

  /** The image layout; undefined without native pixel data. */
  geometry(): PixelGeometry | undefined {
    const element = this.source.originalElement(TAG.PixelData);
    if (element === undefined || element.lengthField === 0xffffffff || !NATIVE_TRANSFER_SYNTAXES.has(this.source.index.transferSyntaxUid)) return undefined;
    const number = (tag: number, fallback?: number): number | undefined => {
      const text = this.source.getString(tag)?.split('\\')[0]?.trim();
      return text === undefined || text === '' ? fallback : Number(text);
    };
    const rows = number(Rows);
    const columns = number(Columns);
    const bitsAllocated = number(BitsAllocated);
    if (rows === undefined || columns === undefined || bitsAllocated === undefined) return undefined;
    return {
      rows,
      columns,
      frames: number(NumberOfFrames, 1) ?? 1,
      samplesPerPixel: number(SamplesPerPixel, 1) ?? 1,
      bitsAllocated,
      planarConfiguration: number(PlanarConfiguration, 0) ?? 0,
    };
  }

  /** Adds a rectangle to fill; checks the image can be altered losslessly and the value fits the samples. */
  fill(rect: PixelRectangle, value: number): void {
    const element = this.source.originalElement(TAG.PixelData);
    if (element === undefined) throw refuse('the instance has no Pixel Data (7FE0,0010)');
    if (element.lengthField === 0xffffffff || !NATIVE_TRANSFER_SYNTAXES.has(this.source.index.transferSyntaxUid)) {
      throw refuse('it is compressed (encapsulated); decompress the file to Explicit VR Little Endian first');
    }
    const g = this.geometry();
    if (g === undefined) throw refuse('Rows, Columns or Bits Allocated is missing');
    if (![8, 16, 32].includes(g.bitsAllocated)) throw refuse(`Bits Allocated ${g.bitsAllocated} is not 8, 16 or 32`);
    const needed = g.frames * g.rows * g.columns * g.samplesPerPixel * (g.bitsAllocated / 8);
    if (element.end - element.valueOffset < needed) throw refuse('Pixel Data is shorter than Rows × Columns × frames × samples');
    const max = 2 ** g.bitsAllocated - 1;
    const min = -(2 ** (g.bitsAllocated - 1));
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DicomEditError('INVALID_VALUE', `the fill value must be a whole number from ${min} to ${max} for ${g.bitsAllocated}-bit samples`);
    }
    this.fills.push({ rect, value });
  }

  /** The pieces of the Pixel Data value (from valueOffset to end), in order: copied ranges and filled runs. */
  pieces(element: DicomElement): PixelPiece[] {
    const g = this.geometry()!;
    const bytesPerSample = g.bitsAllocated / 8;
    const planar = g.samplesPerPixel > 1 && g.planarConfiguration === 1;
    const pixelBytes = planar ? bytesPerSample : bytesPerSample * g.samplesPerPixel;
    const planes = planar ? g.samplesPerPixel : 1;
    const planeBytes = g.rows * g.columns * pixelBytes;
    const frameBytes = planeBytes * planes;
    const out: PixelPiece[] = [];
    const fillCache = new Map<string, Buffer>();
    let pos = element.valueOffset;
    const emitFill = (start: number, columns: number, value: number): void => {
      if (start > pos) out.push({ kind: 'copy', from: pos, to: start });
      const key = `${value}:${columns}`;
      let bytes = fillCache.get(key);
      if (bytes === undefined) {
        const sample = Buffer.alloc(bytesPerSample);
        if (value < 0) sample.writeIntLE(value, 0, bytesPerSample);
        else sample.writeUIntLE(value, 0, bytesPerSample);
        bytes = Buffer.alloc(columns * pixelBytes, sample);
        fillCache.set(key, bytes);
      }
      out.push({ kind: 'bytes', bytes });
      pos = start + bytes.length;
    };
    for (let frame = 0; frame < g.frames; frame++) {
      for (let plane = 0; plane < planes; plane++) {
        for (let row = 0; row < g.rows; row++) {
          const rowStart = element.valueOffset + frame * frameBytes + plane * planeBytes + row * g.columns * pixelBytes;
          for (const run of rowRuns(this.fills, row, g.columns)) emitFill(rowStart + run.left * pixelBytes, run.right - run.left, run.value);
        }
      }
    }
    if (pos < element.end) out.push({ kind: 'copy', from: pos, to: element.end });
    return out;
  }
}

/** The disjoint runs of one row covered by rectangles; a later rectangle wins where they overlap. */
function rowRuns(fills: readonly { rect: PixelRectangle; value: number }[], row: number, columns: number): { left: number; right: number; value: number }[] {
  const covering = fills
    .map((f) => ({ left: Math.max(0, f.rect.left), right: Math.min(columns, f.rect.right), top: f.rect.top, bottom: f.rect.bottom, value: f.value }))
    .filter((f) => f.top <= row && row < f.bottom && f.left < f.right);
  if (covering.length === 0) return [];
  const cuts = [...new Set(covering.flatMap((f) => [f.left, f.right]))].sort((a, b) => a - b);
  const runs: { left: number; right: number; value: number }[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const left = cuts[k]!;
    const right = cuts[k + 1]!;
    const winner = covering.filter((f) => f.left <= left && right <= f.right).pop();
    if (winner === undefined) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.right === left && last.value === winner.value) last.right = right;
    else runs.push({ left, right, value: winner.value });
  }
  return runs;
}
