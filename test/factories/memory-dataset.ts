/**
 * An in-memory EditableDataset for engine tests: a map from numeric tag to string value.
 * Build one with buildDataset({ '(0010,0010)': 'Doe^Jane' }); read it back with toRecord().
 */
import type { EditableDataset } from '../../src/anonymize/dataset';

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

/** A top-level dataset held in a Map. */
export class MemoryDataset implements EditableDataset {
  private readonly values = new Map<number, string>();

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(tag(k), v);
  }

  getString(t: number): string | undefined {
    return this.values.get(t);
  }

  setString(t: number, value: string): void {
    this.values.set(t >>> 0, value);
  }

  delete(t: number): void {
    this.values.delete(t);
  }

  has(t: number): boolean {
    return this.values.has(t);
  }

  tags(): number[] {
    return [...this.values.keys()].sort((a, b) => a - b);
  }

  /** The contents as { "(GGGG,EEEE)": value }, in tag order. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.tags().map((t) => [format(t), this.values.get(t)!]));
  }
}

/** A synthetic MR-like instance (no real patient data), with overrides. */
export function buildDataset(overrides: Readonly<Record<string, string>> = {}): MemoryDataset {
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
