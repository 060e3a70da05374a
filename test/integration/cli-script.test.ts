import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildDicom } from '../factories/dicom-builder';

const exec = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-script-'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec('node', [CLI, 'script', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('dicom-intake script check', () => {
  it('When a valid script is checked, then it is accepted with exit 0 and its warnings are listed', async () => {
    const script = file('ok.das', 'version "6.6"\n(0010,0010) := subject\ngetURL["http://example.org"]\n');
    const out = await cli('check', script);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`${script}:3:1: warning NOT_IMPLEMENTED: getURL is not supported by this engine`);
    expect(out.stdout).toContain(`${script}: accepted (DicomEdit 6.6), 1 warning(s)`);
  });

  it('When a script has no version line, then it is refused with exit 1 and the DicomEdit 4 policy', async () => {
    const script = file('de4.das', '(0010,0010) := "Anon"\n');
    const out = await cli('check', script);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`${script}:1:1: error MISSING_VERSION: the script has no version line, so it looks like a DicomEdit 4 script`);
  });

  it('When --json is given, then the findings are JSON with stable codes', async () => {
    const script = file('bad.das', 'version "6.3"\n(0010,0010) := nope\n(0010,0020) := (0008,1115)[%]/(0010,0020)\n');
    const out = await cli('check', script, '--json');
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as { ok: boolean; diagnostics: { code: string; line: number }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['UNDEFINED_VARIABLE', 2],
      ['PLURAL_TAGPATH', 3],
    ]);
  });
});

describe('dicom-intake script preview', () => {
  const dicom = file(
    'image.dcm',
    buildDicom({
      elements: { PatientName: 'Doe^Jane', PatientID: 'PID0001' },
      sequences: { '(0008,1115)': { items: [{ '(0020,000E)': '1.2.3.4.5', '(0010,0020)': 'PID0001' }] } },
    }),
  );

  it('When a script is previewed, then every change at every depth is listed and the file is not written', async () => {
    const before = createHash('sha256').update(readFileSync(dicom)).digest('hex');
    const script = file('p.das', 'version "6.6"\n(0010,0010) := subject\n-*/(0010,0020)\n(0008,1115)[0]/(0020,000E) := hashUID[(0008,1115)[0]/(0020,000E)]\n');
    const out = await cli('preview', script, dicom, '--var', 'subject=S01');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')).toEqual([
      '(0008,1115)[0]/(0010,0020) LO deleted (was "PID0001")',
      '(0008,1115)[0]/(0020,000E) UI changed "1.2.3.4.5" -> "2.25.281097975800109040096884226991818420711"',
      '(0010,0010) PN changed "Doe^Jane" -> "S01"',
      '(0010,0020) LO deleted (was "PID0001")',
      `${dicom}: 4 element(s) would change; nothing was written`,
      '',
    ]);
    expect(createHash('sha256').update(readFileSync(dicom)).digest('hex')).toBe(before);
  });

  it('When the script rejects the instance, then the preview says so; a failing script exits 1 without values', async () => {
    const reject = file('r.das', 'version "6.6"\n(0008,0060) = "CT" ? reject[]\n');
    expect((await cli('preview', reject, dicom)).stdout).toContain('rejected by the script (reject[])');
    const failing = file('f.das', 'version "6.3"\n(0010,0010) := substring[(0010,0010), 0, 50]\n');
    const out = await cli('preview', failing, dicom);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('(ScriptRuntimeError BAD_ARGUMENT): line 2, column 16: substring: indices 0..50 are out of range for the value');
    expect(out.stderr).not.toContain('Doe');
  });

  it('When arguments are missing, then the usage is printed with exit 2', async () => {
    const out = await cli('preview', 'only-one.das');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('Usage: dicom-intake script check SCRIPT');
  });
});
