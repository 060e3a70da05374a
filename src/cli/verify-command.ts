/**
 * `dicom-intake verify ORIGINAL ANONYMIZED`: the verification method of reference §4.3 over a set of files. For each
 * pair: residual source values in the output bytes (outside Pixel Data), attributes the profile removes still present
 * at any depth, private elements, markers, File Meta; across the set: one-to-one UID mapping. Findings name files
 * and tag paths, never values.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOutput, methodCodeValues, optionsFromCodes, UidConsistency, type Finding } from '../anonymize/profile/output-checks';
import { collectNeedles, findResiduals } from '../anonymize/profile/residual-values';
import { DicomEditor, lookupTag, openDicom } from '../dicom';
import { PIXEL_DATA_TAGS } from '../dicom/tags';
import { expandInputs } from './input-files';

const HELP = `Usage: dicom-intake verify [--json] ORIGINAL ANONYMIZED
Checks that ANONYMIZED (a file, or a folder with the same relative paths as the ORIGINAL folder) holds no
non-empty value of an attribute that PS3.15 Table E.1-1 does not keep, at any depth (File Meta, private and UN
elements included); that removed attributes and private elements are gone; that the markers (0012,0062),
(0012,0064), (0028,0303) are right; and that every source UID maps to exactly one new UID across the set.
The options are read from each output's (0012,0064) codes. Findings name tag paths, never values.
Exit status: 0 clean, 1 findings, 2 usage error.
Example: dicom-intake verify study/ anon/
`;

const dictionaryVr = (tag: number): string | undefined => lookupTag(tag)?.vr;

/** One file's findings. */
interface FileFindings {
  file: string;
  findings: Finding[];
}

/** `dicom-intake verify`; resolves to the exit code. */
export async function runVerify(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    process.stderr.write(`dicom-intake verify: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    process.stderr.write(`dicom-intake verify: give ORIGINAL and ANONYMIZED\n\n${HELP}`);
    return 2;
  }
  const [original, anonymized] = positionals as [string, string];
  let pairs: Array<{ source: string; output: string; name: string }>;
  try {
    const outputIsDir = (await stat(anonymized)).isDirectory();
    const sources = await expandInputs([original]);
    pairs = sources.map((s) => ({ source: s.path, output: outputIsDir ? join(anonymized, s.relative) : anonymized, name: s.relative }));
  } catch (e) {
    process.stderr.write(`dicom-intake verify: ${(e as Error).message}\n`);
    return 2;
  }

  const results: FileFindings[] = [];
  const uids = new UidConsistency();
  let verified = 0;
  let missing = 0;
  for (const pair of pairs) {
    let source: DicomEditor;
    try {
      source = await openDicom(pair.source);
    } catch {
      continue; // a source we cannot read was refused by anonymize too; there is nothing to compare
    }
    let output: DicomEditor;
    try {
      await stat(pair.output);
    } catch {
      missing += 1; // not written: anonymize refused it, which verify does not judge
      continue;
    }
    try {
      output = await openDicom(pair.output);
      results.push({ file: pair.name, findings: await verifyPair(source, output, pair.name, uids) });
      verified += 1;
    } catch (e) {
      const err = e as Error;
      results.push({ file: pair.name, findings: [{ path: '(file)', problem: `cannot be checked: ${err.name}: ${err.message}` }] });
    }
  }
  for (const p of uids.problems) results.push({ file: '(set)', findings: [p] });
  const withFindings = results.filter((r) => r.findings.length > 0);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: withFindings.length === 0, verified, missing, findings: withFindings })}\n`);
  } else {
    for (const r of withFindings) for (const f of r.findings) process.stderr.write(`${r.file}: ${f.path}: ${f.problem}\n`);
    process.stdout.write(`${verified} verified, ${missing} not in the output, ${withFindings.length} with findings\n`);
  }
  return withFindings.length === 0 ? 0 : 1;
}

async function verifyPair(source: DicomEditor, output: DicomEditor, name: string, uids: UidConsistency): Promise<Finding[]> {
  const findings: Finding[] = [];
  const recorded = optionsFromCodes(methodCodeValues(output));
  if (recorded === undefined) findings.push({ path: '(0012,0064)', problem: 'no Basic Profile code 113100; checked against the Basic Profile' });
  const options = recorded ?? new Set();
  findings.push(...checkOutput(output, options));
  const haystack = await bytesOutsidePixelData(output);
  for (const from of findResiduals(collectNeedles(source, options, dictionaryVr), haystack)) {
    findings.push({ path: from, problem: 'the source value of this attribute is still in the output' });
  }
  uids.add(source, output, options, name, dictionaryVr);
  return findings;
}

/** The output file's bytes without the Pixel Data value (where byte matches are noise, and which can be large). */
async function bytesOutsidePixelData(editor: DicomEditor): Promise<Buffer> {
  const index = editor.index;
  const ranges: Array<[number, number]> = [];
  let pos = 0;
  for (const e of index.elements) {
    if (!PIXEL_DATA_TAGS.has(e.tag)) continue;
    ranges.push([pos, e.valueOffset]);
    pos = e.end;
  }
  ranges.push([pos, index.fileSize]);
  const file = await open(index.path, 'r');
  try {
    const parts = await Promise.all(
      ranges.map(async ([from, to]) => {
        const b = Buffer.alloc(to - from);
        await file.read(b, 0, b.length, from);
        return b;
      }),
    );
    return Buffer.concat(parts);
  } finally {
    await file.close();
  }
}
