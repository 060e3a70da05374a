import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PS315_EDITION, PS315_TABLE } from '../../../src/anonymize/profile/ps3.15-2025b.generated';
import { rowForTag } from '../../../src/anonymize/profile/table-lookup';
import { outputPath, renderProfileTable, sourcePath } from '../../../scripts/generate-ps315-table';

function row(tag: string) {
  const found = PS315_TABLE.find((r) => r.tag === tag);
  if (found === undefined) throw new Error(`no row ${tag}`);
  return found;
}

describe('PS3.15 Table E.1-1 (generated)', () => {
  it('When the generator runs on the vendored JSON, then it reproduces the committed module byte for byte', () => {
    expect(renderProfileTable(readFileSync(sourcePath(), 'utf8'))).toBe(readFileSync(outputPath(), 'utf8'));
  });

  it('When the 2025b table is counted, then it has 647 rows with the Basic Profile histogram of the reference', () => {
    expect(PS315_EDITION).toBe('2025b');
    expect(PS315_TABLE).toHaveLength(647);
    const histogram: Record<string, number> = {};
    for (const r of PS315_TABLE) histogram[r.basic] = (histogram[r.basic] ?? 0) + 1;
    expect(histogram).toEqual({ X: 409, D: 92, U: 55, Z: 42, 'X/D': 22, 'X/Z': 11, 'X/Z/D': 8, 'Z/D': 6, 'X/Z/U*': 2 });
    expect(PS315_TABLE.filter((r) => r.inStdCompIod)).toHaveLength(463);
  });

  it('When the masked rows are listed, then exactly the curve, overlay and private rows are masks', () => {
    expect(PS315_TABLE.filter((r) => /x|g/.test(r.tag)).map((r) => r.tag)).toEqual(['(50xx,xxxx)', '(60xx,3000)', '(60xx,4000)', '(gggg,eeee)']);
  });

  it('When known rows are looked up, then their actions match the standard', () => {
    expect(row('(0010,0020)').basic).toBe('Z/D');
    expect(row('(0010,0010)').basic).toBe('Z');
    expect(row('(0008,0018)')).toMatchObject({ basic: 'U', options: { retainUids: 'K' } });
    expect(row('(0008,0020)')).toMatchObject({ basic: 'Z', options: { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' } });
    expect(row('(0008,1120)').options.retainUids).toBe('K');
    expect(row('(0400,0561)').basic).toBe('X');
    expect(row('(0008,1140)').basic).toBe('X/Z/U*');
    expect(row('(0088,0200)').name).toBe('Icon Image Sequence');
    expect(row('(300C,0127)').options.retainDeviceIdentity).toBeUndefined();
  });

  it('When tags are matched, then exact rows, repeating groups and private groups find their rows', () => {
    expect(rowForTag(0x00100020)?.name).toBe('Patient ID');
    expect(rowForTag(0x50020010)?.tag).toBe('(50xx,xxxx)');
    expect(rowForTag(0x60023000)?.tag).toBe('(60xx,3000)');
    expect(rowForTag(0x601e4000)?.tag).toBe('(60xx,4000)');
    expect(rowForTag(0x60003001)).toBeUndefined();
    expect(rowForTag(0x00091001)?.tag).toBe('(gggg,eeee)');
    expect(rowForTag(0x00280010)).toBeUndefined();
  });
});
