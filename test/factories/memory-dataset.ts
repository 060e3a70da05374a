/**
 * An in-memory EditableDataset for engine tests: items are maps from numeric tag to a string value or to a
 * sequence (an array of items). Build one with buildDataset({ '(0010,0010)': 'Doe^Jane',
 * '(0008,1115)': [{ '(0020,000E)': '1.2.3' }] }); read it back with toRecord() (top level) or toTree() (all depths).
 */
import type { EditableDataset, ItemPath, PixelGeometry, PixelRectangle } from '../../src/anonymize/dataset';
import { lookupTag } from '../../src/dicom/dictionary';

/** What a test writes: strings for values, arrays of items for sequences. */
export type MemoryValue = string | readonly MemoryRecord[];
/** One item (or the root) as a test writes it. */
export type MemoryRecord = Readonly<Record<string, MemoryValue>>;

type Item = Map<number, string | Item[]>;

/** Parses "(gggg,eeee)" into a numeric tag. */
export function tag(text: string): number {
  const m = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/.exec(text);
  if (!m) throw new Error(`not a tag: ${text}`);
  return parseInt(m[1]! + m[2]!, 16) >>> 0;
}

function format(t: number): string {
  const hex = t.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

function toItem(record: MemoryRecord): Item {
  const item: Item = new Map();
  for (const [k, v] of Object.entries(record)) item.set(tag(k), typeof v === 'string' ? v : v.map(toItem));
  return item;
}

function fromItem(item: Item): Record<string, MemoryValue> {
  const sorted = [...item.keys()].sort((a, b) => a - b);
  return Object.fromEntries(sorted.map((t) => {
    const v = item.get(t)!;
    return [format(t), typeof v === 'string' ? v : v.map(fromItem)];
  }));
}

/** Native pixel data held in memory, for alterPixels tests. */
export interface MemoryPixels {
  readonly geometry: PixelGeometry;
  readonly bytes: Buffer;
}

/** A dataset held in nested Maps. */
export class MemoryDataset implements EditableDataset {
  private readonly root: Item;

  constructor(
    initial: MemoryRecord = {},
    /** Pixel data for alterPixels, when the test needs an image. */
    readonly pixels?: MemoryPixels,
  ) {
    this.root = toItem(initial);
  }

  private item(path: ItemPath): Item | undefined {
    let item: Item | undefined = this.root;
    for (const step of path) {
      const v: string | Item[] | undefined = item?.get(step.tag);
      item = Array.isArray(v) ? v[step.item] : undefined;
      if (item === undefined) return undefined;
    }
    return item;
  }

  getString(t: number): string | undefined {
    return this.getStringAt([], t);
  }

  setString(t: number, value: string): void {
    this.setStringAt([], t, value);
  }

  delete(t: number): void {
    this.deleteAt([], t);
  }

  has(t: number): boolean {
    return this.hasAt([], t);
  }

  tags(): number[] {
    return this.tagsAt([]);
  }

  tagsAt(path: ItemPath): number[] {
    return [...(this.item(path)?.keys() ?? [])].sort((a, b) => a - b);
  }

  getStringAt(path: ItemPath, t: number): string | undefined {
    const v = this.item(path)?.get(t);
    return v === undefined ? undefined : typeof v === 'string' ? v : '';
  }

  setStringAt(path: ItemPath, t: number, value: string): void {
    const item = this.item(path);
    if (item === undefined) throw new Error(`no item at ${JSON.stringify(path)}`);
    if (Array.isArray(item.get(t))) throw new Error(`${format(t)} is a sequence`);
    const element = t & 0xffff;
    const isPrivateData = ((t >>> 16) & 1) === 1 && element >>> 8 >= 0x10;
    // Mirrors the byte editor: a private data element is created only inside an existing creator block.
    if (isPrivateData && !item.has(t) && !item.has((((t >>> 16) << 16) | (element >>> 8)) >>> 0)) {
      throw new Error(`no private creator for ${format(t)}`);
    }
    item.set(t >>> 0, value);
  }

  deleteAt(path: ItemPath, t: number): void {
    this.item(path)?.delete(t);
  }

  hasAt(path: ItemPath, t: number): boolean {
    return this.item(path)?.has(t) ?? false;
  }

  vrAt(path: ItemPath, t: number): string | undefined {
    const v = this.item(path)?.get(t);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return 'SQ';
    return lookupTag(t)?.vr ?? (((t >>> 16) & 1) === 1 ? 'LO' : 'UN');
  }

  itemCount(path: ItemPath, t: number): number {
    const v = this.item(path)?.get(t);
    return Array.isArray(v) ? v.length : 0;
  }

  deleteItem(path: ItemPath, t: number, index: number): void {
    const v = this.item(path)?.get(t);
    if (Array.isArray(v) && index < v.length) v.splice(index, 1);
  }

  ensureItem(path: ItemPath, t: number, index: number): void {
    const item = this.item(path);
    if (item === undefined) throw new Error(`no item at ${JSON.stringify(path)}`);
    const existing = item.get(t);
    if (typeof existing === 'string') throw new Error(`${format(t)} is not a sequence`);
    const items = existing ?? [];
    while (items.length <= index) items.push(new Map());
    item.set(t >>> 0, items);
  }

  getBytesAt(path: ItemPath, t: number): Uint8Array | undefined {
    const v = this.item(path)?.get(t);
    return typeof v === 'string' ? Buffer.from(v, 'latin1') : undefined;
  }

  pixelGeometry(): PixelGeometry | undefined {
    return this.pixels?.geometry;
  }

  fillPixelRectangle(rect: PixelRectangle, value: number): void {
    if (this.pixels === undefined) throw new Error('no pixel data');
    const g = this.pixels.geometry;
    const bytes = g.bitsAllocated / 8;
    for (let f = 0; f < g.frames; f++) {
      for (let r = Math.max(0, rect.top); r < Math.min(g.rows, rect.bottom); r++) {
        for (let c = Math.max(0, rect.left); c < Math.min(g.columns, rect.right); c++) {
          for (let s = 0; s < g.samplesPerPixel; s++) {
            const frame = f * g.rows * g.columns * g.samplesPerPixel * bytes;
            const planar = g.planarConfiguration === 1;
            const at = planar
              ? frame + (s * g.rows * g.columns + r * g.columns + c) * bytes
              : frame + ((r * g.columns + c) * g.samplesPerPixel + s) * bytes;
            this.pixels.bytes.writeUIntLE(value, at, bytes);
          }
        }
      }
    }
  }

  /** The top-level string values as { "(GGGG,EEEE)": value }, in tag order (sequences left out). */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(fromItem(this.root))) if (typeof v === 'string') out[k] = v;
    return out;
  }

  /** The whole dataset, sequences included, in the form the constructor takes. */
  toTree(): Record<string, MemoryValue> {
    return fromItem(this.root);
  }
}

/** A synthetic MR-like instance (no real patient data), with overrides. */
export function buildDataset(overrides: MemoryRecord = {}): MemoryDataset {
  return new MemoryDataset({
    '(0008,0016)': '1.2.840.10008.5.1.4.1.1.4',
    '(0008,0018)': '1.2.3.4.5',
    '(0008,0020)': '20100430',
    '(0008,0060)': 'MR',
    '(0008,1030)': 'Brain Study',
    '(0008,103E)': 'T1 axial',
    '(0010,0010)': 'Test^Patient',
    '(0010,0020)': 'PID-0001',
    '(0010,0030)': '19700101',
    '(0020,000D)': '1.2.3.4.5.6',
    ...overrides,
  });
}
