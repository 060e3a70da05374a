/**
 * The public pydicom corpus through the Basic Profile (reference §5 tiers): every file is either de-identified
 * (pydicom re-reads it, its element set differs from the source only by what the profile removes or adds, pixel
 * data is unchanged, `verify` finds nothing) or refused with the expected reason. A file whose outcome changes,
 * in either direction, fails the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../../src/activities/deidentify-file';
import { effectiveCode } from '../../../src/anonymize/profile/action-resolution';
import { parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import { isPrivate, rowForTag } from '../../../src/anonymize/profile/table-lookup';
import { lookupTag } from '../../../src/dicom';
import { pydicomPaths, type PydicomPaths } from './pydicom-paths';

const DATA = '/usr/lib/python3/dist-packages/pydicom/data';
const FOLDERS = ['test_files', 'charset_files', 'palettes'];
const SECRET = 'corpus-secret';
const BASIC = parseProfileOptions('basic');

// Tier C (must fail cleanly: no_meta.dcm's dataset is not recognisable, truncated and malformed files), DICOMDIRs
// (tier D: never rewritten in place, whatever their transfer syntax) and files that are not DICOM at all. Big endian,
// deflated and File Meta-less files (tier A) are converted on read and must come out de-identified like the others.
// Error code, by relative path.
const NOT_DICOM = ['README.txt', 'rtplan.dump', 'rtstruct.dump', 'test1.json', 'test_PN.json', 'zipMR.gz', 'dicomdirtests/README.txt', 'dicomdirtests/TINY_ALPHA/README'];
const EXPECTED_REFUSALS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(NOT_DICOM.map((f) => [`test_files/${f}`, 'NOT_DICOM'])),
  'charset_files/FileInfo.txt': 'NOT_DICOM',
  'palettes/README.md': 'NOT_DICOM',
  'test_files/no_meta.dcm': 'NOT_DICOM',
  'test_files/dicomdirtests/DICOMDIR-bigEnd': 'DICOMDIR',
  'test_files/meta_missing_tsyntax.dcm': 'UNSUPPORTED_TRANSFER_SYNTAX',
  'test_files/MR_truncated.dcm': 'TRUNCATED',
  'test_files/rtplan_truncated.dcm': 'TRUNCATED',
  'test_files/SC_rgb_jpeg.dcm': 'BAD_VR',
  'test_files/nested_priv_SQ.dcm': 'BAD_LENGTH',
  'test_files/dicomdirtests/DICOMDIR': 'DICOMDIR',
  'test_files/dicomdirtests/DICOMDIR-empty.dcm': 'DICOMDIR',
  'test_files/dicomdirtests/DICOMDIR-implicit': 'DICOMDIR',
  'test_files/dicomdirtests/DICOMDIR-nooffset': 'DICOMDIR',
  'test_files/dicomdirtests/DICOMDIR-nopatient': 'DICOMDIR',
  'test_files/dicomdirtests/DICOMDIR-reordered': 'DICOMDIR',
  'test_files/dicomdirtests/TINY_ALPHA/DICOMDIR': 'DICOMDIR',
};

// Tier A inputs the reader converts (big endian, deflated, no File Meta): each must be read by pydicom on both sides.
const CONVERTED = [
  'ExplVR_BigEnd.dcm', 'MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'liver_expb_1frame.dcm', 'rtdose_expb.dcm', 'rtdose_expb_1frame.dcm',
  'image_dfl.dcm', 'ExplVR_BigEndNoMeta.dcm', 'ExplVR_LitEndNoMeta.dcm', 'rtstruct.dcm',
].map((f) => `test_files/${f}`);

// Elements the profile adds or rewrites: the markers, the new File Meta description, group lengths.
const ADDED = new Set(['00120062', '00120063', '00120064', '00280303', '00020012', '00020013']);
const META_REMOVED = new Set(['00020016', '00020017', '00020018', '00020100', '00020102']);
const BINARY_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);

function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === '__pycache__' ? [] : listFiles(path);
    return /\.py$/.test(name) ? [] : [path];
  });
}

/** True when the profile explains why a source path is gone: some step is private, removed, emptied or not writable. */
function removalExplained(path: string): boolean {
  const steps = path.split('/');
  for (let k = 0; k < steps.length; k += 2) {
    const hex = steps[k]!;
    const tag = parseInt(hex, 16) >>> 0;
    if (META_REMOVED.has(hex) || isPrivate(tag)) return true;
    const row = rowForTag(tag);
    if (row === undefined) continue;
    const { code } = effectiveCode(row, BASIC);
    const vr = lookupTag(tag)?.vr;
    if (code === 'X') return true;
    if ((code === 'Z' || code === 'D') && vr === 'SQ') return true; // sequence emptied
    if (code === 'D' && vr !== undefined && BINARY_VRS.has(vr)) return true; // no string dummy for binary VRs
  }
  return false;
}

/**
 * True when an output path is new because the profile added it (markers and their items, File Meta), or because the
 * source had no File Meta and the reader generated one.
 */
function additionExplained(path: string, sourceHadMeta: boolean): boolean {
  const first = path.split('/')[0]!;
  return ADDED.has(first) || first.endsWith('0000') || (!sourceHadMeta && first.startsWith('0002'));
}

const outDir = mkdtempSync(join(tmpdir(), 'dicom-intake-corpus-'));
const outcomes = new Map<string, { written: true; output: string } | { written: false; code: string; message: string }>();
let parsed: Record<string, PydicomPaths> = {};

describe('pydicom corpus through the Basic Profile', () => {
  beforeAll(async () => {
    for (const folder of FOLDERS) {
      for (const input of listFiles(join(DATA, folder))) {
        const rel = relative(DATA, input);
        const output = join(outDir, rel);
        try {
          const result = await deidentifyFile(input, output, { profile: BASIC, secret: SECRET, vars: {} });
          if (result.kind === 'dicomdir') outcomes.set(rel, { written: false, code: 'DICOMDIR', message: 'a DICOMDIR is never edited: it is dropped (and can be regenerated)' });
          else outcomes.set(rel, { written: true, output });
        } catch (e) {
          const err = e as Error & { code?: string };
          outcomes.set(rel, { written: false, code: err.code ?? err.name, message: err.message });
        }
      }
    }
    const written = [...outcomes.entries()].filter(([, o]) => o.written).map(([rel]) => rel);
    parsed = pydicomPaths(written.flatMap((rel) => [join(DATA, rel), join(outDir, rel)]));
  }, 120_000);

  it('When the corpus is processed, then exactly the expected files are refused, each with its expected reason', () => {
    const refused = Object.fromEntries([...outcomes].filter(([, o]) => !o.written).map(([rel, o]) => [rel, o.written ? '' : o.code]));
    expect(refused).toEqual(EXPECTED_REFUSALS);
    expect(outcomes.size - Object.keys(refused).length).toBeGreaterThan(130);
  });

  it('When a file is refused, then its reason says what and nothing was written for it', () => {
    for (const [rel, o] of outcomes) {
      if (o.written) continue;
      expect(o.message.length, rel).toBeGreaterThan(20);
      expect(() => statSync(join(outDir, rel)), rel).toThrow();
    }
  });

  it('When pydicom re-reads every written file, then it parses, pixel data is unchanged and the element sets differ only by the profile', () => {
    const problems: string[] = [];
    for (const [rel, o] of outcomes) {
      if (!o.written) continue;
      const source = parsed[join(DATA, rel)];
      const output = parsed[join(outDir, rel)];
      if (source === undefined || output === undefined) {
        problems.push(`${rel}: not probed`);
        continue;
      }
      if ('error' in output) {
        if (!('error' in source)) problems.push(`${rel}: pydicom cannot read the output: ${output.error}`);
        continue; // pydicom cannot read the source either (e.g. its own known gaps); our reader and verify still ran
      }
      if ('error' in source) continue;
      if (source.pixel !== output.pixel) problems.push(`${rel}: pixel data changed`);
      const before = new Set(source.paths);
      const after = new Set(output.paths);
      for (const p of after) if (!before.has(p) && !additionExplained(p, source.meta)) problems.push(`${rel}: unexpected new element ${p}`);
      for (const p of before) if (!after.has(p) && !removalExplained(p)) problems.push(`${rel}: element ${p} lost without a profile action`);
    }
    expect(problems).toEqual([]);
  });

  it('When a big endian, deflated or File Meta-less file is de-identified, then pydicom reads the source and the output', () => {
    for (const rel of CONVERTED) {
      expect(outcomes.get(rel), rel).toMatchObject({ written: true });
      expect(parsed[join(DATA, rel)], rel).toHaveProperty('paths');
      expect(parsed[join(outDir, rel)], rel).toMatchObject({ meta: true });
    }
  });

  it('When verify compares the corpus with its anonymized copy, then it reports no finding', () => {
    let stdout: string;
    try {
      stdout = execFileSync('node', [join(__dirname, '../../../bin/dicom-intake.js'), 'verify', '--json', DATA, outDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      stdout = (e as { stdout: string }).stdout;
    }
    const summary = JSON.parse(stdout) as { ok: boolean; verified: number; findings: unknown[] };
    expect(summary.findings).toEqual([]);
    expect(summary.verified).toBe([...outcomes.values()].filter((o) => o.written).length);
  }, 120_000);

  it('When every option but Full Dates is applied to a varied subset, then verify over the subset reports no finding', async () => {
    const all = parseProfileOptions(
      'basic,retain-safe-private,retain-uids,retain-device-identity,retain-institution-identity,retain-patient-characteristics,retain-long-modified-dates,clean-descriptors,clean-structured-content,clean-graphics',
    );
    const subset = ['CT_small.dcm', 'MR_small.dcm', 'test-SR.dcm', 'rtplan.dcm', 'waveform_ecg.dcm', 'liver_1frame.dcm', 'rtdose_rle.dcm', 'UN_sequence.dcm', 'JPEG2000.dcm'];
    const sourceDir = join(outDir, 'options-source');
    const optionsOut = join(outDir, 'options-out');
    for (const name of subset) {
      execFileSync('install', ['-D', join(DATA, 'test_files', name), join(sourceDir, name)]);
      await deidentifyFile(join(sourceDir, name), join(optionsOut, name), { profile: all, secret: SECRET, vars: {} });
    }
    let stdout: string;
    try {
      stdout = execFileSync('node', [join(__dirname, '../../../bin/dicom-intake.js'), 'verify', '--json', sourceDir, optionsOut], { encoding: 'utf8' });
    } catch (e) {
      stdout = (e as { stdout: string }).stdout;
    }
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, verified: subset.length, findings: [] });
  }, 120_000);
});
