/**
 * Generates src/anonymize/profile/ps3.15-2025b.generated.ts from the innolitics-format JSON of PS3.15 Table E.1-1
 * (edition 2025b, vendored in data/ps3.15-2025b with its SOURCE.md). Run: npx tsx scripts/generate-ps315-table.ts
 *
 * The output is deterministic (rows sorted by tag text, fixed formatting, no timestamps) so that a test can
 * regenerate it and compare it with the committed file: a hand edit of the generated file fails CI.
 * Parser quirks of the source (deidentification-anchors.md §1.5) are normalised here, each one named in FIXUPS
 * or in normaliseName/normaliseTag, and the generator refuses input it does not understand.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BASIC_ACTIONS,
  OPTION_ACTIONS,
  OPTION_COLUMNS,
  PRIVATE_ROW_TAG,
  type BasicAction,
  type OptionAction,
  type OptionColumn,
  type ProfileTableRow,
} from '../src/anonymize/profile/table-types';

/** The edition the generated table is pinned to. */
export const EDITION = '2025b';

/** Where the JSON of this edition lives (vendored in the repository, so CI can regenerate and compare). */
export function sourcePath(): string {
  return path.resolve(__dirname, '../data/ps3.15-2025b/confidentiality_profile_attributes.json');
}

/** Where the generated module goes. */
export function outputPath(): string {
  return path.resolve(__dirname, '../src/anonymize/profile/ps3.15-2025b.generated.ts');
}

/** A known wrong cell of the parsed JSON, corrected by tag and column; `from` must match or the fix is skipped. */
interface Fixup {
  readonly tag: string;
  readonly column: string;
  readonly from: string;
  readonly to: OptionAction | undefined;
  readonly why: string;
}

const FIXUPS: readonly Fixup[] = [
  {
    tag: '(300C,0127)',
    column: 'rtnDevIdOpt',
    from: 'K',
    to: undefined,
    why: 'Beam Hold Transition DateTime: spurious Retain Device Identity cell (column shift of the parser); a treatment date is not device identity',
  },
  {
    tag: '(0008,1120)',
    column: 'rtnUIDsOpt',
    from: 'X',
    to: 'K',
    why: 'Referenced Patient Sequence: the standard says K under Retain UIDs (innolitics issue #80, fixed upstream in 2024a)',
  },
];

/** "Icon Image Sequence\n\n(see Note 11)" → "Icon Image Sequence"; runs of whitespace become one space. */
function normaliseName(raw: string): string {
  return raw
    .replace(/\(see Note \d+\)/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "(0008,0050)" stays; masks get lower-case "x" digits; the private-attributes row becomes "(gggg,eeee)". */
function normaliseTag(raw: string): string {
  const text = raw.trim();
  if (/^\(GGGG,EEEE\)\s*WHERE GGGG IS ODD$/i.test(text)) return PRIVATE_ROW_TAG;
  const m = /^\(([0-9A-Fa-fXx]{4}),([0-9A-Fa-fXx]{4})\)$/.exec(text);
  if (!m) throw new Error(`Table E.1-1 source: the tag "${raw}" is not "(gggg,eeee)"; extend normaliseTag if the standard added a new form`);
  const digits = (s: string): string => s.toUpperCase().replace(/X/g, 'x');
  return `(${digits(m[1]!)},${digits(m[2]!)})`;
}

function isBasicAction(value: string): value is BasicAction {
  return (BASIC_ACTIONS as readonly string[]).includes(value);
}

function isOptionAction(value: string): value is OptionAction {
  return (OPTION_ACTIONS as readonly string[]).includes(value);
}

type JsonRow = Record<string, unknown>;

/** Turns the parsed JSON into normalised, validated, sorted rows; `applied` lists the fixups that changed a cell. */
export function normaliseRows(json: unknown): { rows: ProfileTableRow[]; applied: string[] } {
  if (!Array.isArray(json)) throw new Error('Table E.1-1 source: expected a JSON array of rows');
  const applied: string[] = [];
  const seen = new Set<string>();
  const rows = (json as JsonRow[]).map((raw): ProfileTableRow => {
    const tag = normaliseTag(String(raw.tag));
    if (seen.has(tag)) throw new Error(`Table E.1-1 source: the tag ${tag} appears twice`);
    seen.add(tag);
    const cells: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') cells[k] = v.trim();
    for (const fix of FIXUPS) {
      if (fix.tag === tag && cells[fix.column] === fix.from) {
        if (fix.to === undefined) delete cells[fix.column];
        else cells[fix.column] = fix.to;
        applied.push(`${fix.tag} ${fix.column} ${fix.from} -> ${fix.to ?? '(none)'}: ${fix.why}`);
      }
    }
    const basic = cells.basicProfile ?? '';
    if (!isBasicAction(basic)) throw new Error(`Table E.1-1 source: row ${tag} has the unknown Basic Profile action "${basic}"`);
    const options: Partial<Record<OptionColumn, OptionAction>> = {};
    for (const column of OPTION_COLUMNS) {
      const value = cells[column.json];
      if (value === undefined || value === '') continue;
      if (!isOptionAction(value)) throw new Error(`Table E.1-1 source: row ${tag} has the unknown ${column.json} action "${value}"`);
      options[column.option] = value;
    }
    const stdCompIod = cells.stdCompIOD;
    if (stdCompIod !== 'Y' && stdCompIod !== 'N') throw new Error(`Table E.1-1 source: row ${tag} has stdCompIOD "${stdCompIod}"`);
    return { tag, name: normaliseName(String(raw.name)), inStdCompIod: stdCompIod === 'Y', basic, options };
  });
  rows.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return { rows, applied };
}

function renderRow(row: ProfileTableRow): string {
  const options = OPTION_COLUMNS.filter((c) => row.options[c.option] !== undefined)
    .map((c) => `${c.option}: '${row.options[c.option]}'`)
    .join(', ');
  return (
    `  { tag: '${row.tag}', name: ${JSON.stringify(row.name)}, inStdCompIod: ${row.inStdCompIod}, ` +
    `basic: '${row.basic}', options: {${options === '' ? '' : ` ${options} `}} },`
  );
}

/** The text of the generated module for the JSON source text `sourceText`. */
export function renderProfileTable(sourceText: string): string {
  const { rows, applied } = normaliseRows(JSON.parse(sourceText));
  const sha256 = createHash('sha256').update(sourceText, 'utf8').digest('hex');
  return [
    '/**',
    ` * DICOM PS3.15 Annex E Table E.1-1 "Application Level Confidentiality Profile Attributes", edition ${EDITION}.`,
    ' *',
    ' * GENERATED by scripts/generate-ps315-table.ts, DO NOT EDIT: regenerate with `npx tsx scripts/generate-ps315-table.ts`.',
    ' * Source: data/ps3.15-2025b/confidentiality_profile_attributes.json (innolitics dicom-standard',
    ' * parser output as published by DIAGNijmegen/rse-grand-challenge-dicom-de-id-procedure, Apache-2.0; see SOURCE.md).',
    ` * Source SHA-256: ${sha256}`,
    ` * Rows: ${rows.length}. Fix-ups applied to the source:`,
    ...(applied.length === 0 ? [' *   (none)'] : applied.map((a) => ` *   - ${a}`)),
    ' */',
    "import type { ProfileTableRow } from './table-types';",
    '',
    '/** The edition of PS3.15 this table was generated from. */',
    `export const PS315_EDITION = '${EDITION}';`,
    '',
    '/** SHA-256 of the source JSON the table was generated from. */',
    `export const PS315_SOURCE_SHA256 = '${sha256}';`,
    '',
    '/** The rows of Table E.1-1, sorted by tag text. */',
    'export const PS315_TABLE: readonly ProfileTableRow[] = [',
    ...rows.map(renderRow),
    '];',
    '',
  ].join('\n');
}

function main(): void {
  const text = renderProfileTable(readFileSync(sourcePath(), 'utf8'));
  writeFileSync(outputPath(), text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), outputPath())}\n`);
}

// Run only as a program, not when a test imports renderProfileTable.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
