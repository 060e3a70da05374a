/**
 * The generated DICOMDIR (dicomdir-writer.ts) read by pydicom's FileSet, which follows the record offsets: every
 * instance must be found through its PATIENT / STUDY / SERIES records, with the keys of the file it references.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dicomdirFileOf, encodeDicomdir, fileIdProblem, openDicom } from '../../src/dicom';
import { buildDicom } from '../factories/dicom-builder';

const dir = mkdtempSync(join(tmpdir(), 'dicomdir-writer-'));

// For each instance the FileSet finds: the keys it inherits from its records, and the same keys in the file itself.
const PROBE = `
import sys, json, pydicom
from pydicom.fileset import FileSet
# Strict: a record the offsets do not reach (an orphan) is an error, not silently added to the root.
fs = FileSet()
fs.load(pydicom.dcmread(sys.argv[1]), include_orphans=False, raise_orphans=True)
keys = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SeriesNumber", "InstanceNumber", "SOPInstanceUID")
out = []
for inst in fs:
    ds = inst.load()
    record = {k: str(getattr(inst, k if k != "SOPInstanceUID" else "ReferencedSOPInstanceUIDInFile")) for k in keys}
    out.append({"record": record, "file": {k: str(ds.get(k, "")) for k in keys}, "path": inst.path})
print(json.dumps({"instances": out, "patients": len(fs.find_values("PatientID")), "studies": len(fs.find_values("StudyInstanceUID")), "series": len(fs.find_values("SeriesInstanceUID"))}))
`;

describe('generated DICOMDIR', () => {
  it('When files of two patients, three studies and four series are listed, then pydicom finds each instance under the records of its own patient, study and series', async () => {
    const layout = [
      ['PAT1', '2.25.1001', '2.25.1001.1'],
      ['PAT1', '2.25.1001', '2.25.1001.1'],
      ['PAT1', '2.25.1001', '2.25.1001.2'],
      ['PAT1', '2.25.1002', '2.25.1002.1'],
      ['PAT2', '2.25.2001', '2.25.2001.1'],
    ] as const;
    const files = [];
    for (const [i, [patient, study, series]] of layout.entries()) {
      const components = [patient, `ST${study.slice(-4)}`, `SE${series.slice(-1)}`, `IM${i}`];
      mkdirSync(join(dir, ...components.slice(0, -1)), { recursive: true });
      const path = join(dir, ...components);
      const elements = { PatientID: patient, PatientName: `Name^${patient}`, StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: `${series}.${i}`, SeriesNumber: series.slice(-1), InstanceNumber: String(i + 1) };
      writeFileSync(path, buildDicom({ elements }));
      expect(fileIdProblem(components)).toBeUndefined();
      files.push(dicomdirFileOf(await openDicom(path), components));
    }
    writeFileSync(join(dir, 'DICOMDIR'), encodeDicomdir(files, 'TESTSET'));
    const seen = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PROBE, join(dir, 'DICOMDIR')], { encoding: 'utf8' })) as {
      instances: Array<{ record: Record<string, string>; file: Record<string, string>; path: string }>;
      patients: number;
      studies: number;
      series: number;
    };
    expect(seen).toMatchObject({ patients: 2, studies: 3, series: 4 });
    expect(seen.instances).toHaveLength(layout.length);
    for (const instance of seen.instances) expect(instance.record, instance.path).toEqual(instance.file);
    execFileSync('dcmdump', ['-q', '+E', join(dir, 'DICOMDIR')]);

    // Negative control: the probe follows the offsets. With the first PATIENT's next-record offset zeroed, the
    // second patient's records are orphans, which the strict probe refuses.
    const broken = encodeDicomdir(files, 'TESTSET');
    const next = broken.indexOf(Buffer.from([0x04, 0x00, 0x00, 0x14, 0x55, 0x4c, 0x04, 0x00]));
    expect(broken.readUInt32LE(next + 8)).toBeGreaterThan(next);
    broken.writeUInt32LE(0, next + 8);
    writeFileSync(join(dir, 'DICOMDIR-broken'), broken);
    let found: number;
    try {
      found = (JSON.parse(execFileSync('/usr/bin/python3', ['-c', PROBE, join(dir, 'DICOMDIR-broken')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { instances: unknown[] }).instances.length;
    } catch {
      found = 0;
    }
    expect(found).toBeLessThan(layout.length);
  });

  it('When a path component is lower case, too long or one of too many, then it is not a valid File ID', () => {
    expect(fileIdProblem(['ct.dcm'])).toMatch(/"ct\.dcm"/);
    expect(fileIdProblem(['ABCDEFGHI'])).toMatch(/"ABCDEFGHI"/);
    expect(fileIdProblem(Array.from({ length: 9 }, () => 'A'))).toMatch(/1 to 8 components, not 9/);
    expect(fileIdProblem(['DICOM', 'IM_0001'])).toBeUndefined();
  });
});
