import { describe, expect, it } from 'vitest';
import { applyScript, compileScript, ScriptRuntimeError, type ApplyResult } from '../../src/anonymize';
import { buildDataset, MemoryDataset } from '../factories/memory-dataset';

function run(script: string, ds: MemoryDataset, vars: Record<string, string | undefined> = {}): ApplyResult {
  return applyScript(compileScript(script), ds, vars);
}

function runtimeError(script: string, ds: MemoryDataset, vars: Record<string, string | undefined> = {}): ScriptRuntimeError {
  try {
    run(script, ds, vars);
  } catch (e) {
    if (e instanceof ScriptRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a runtime error');
}

/** XNAT's widely copied default site script (§2.3). */
const XNAT_DEFAULT_SCRIPT = [
  '// Default XNAT anonymization script',
  'version "6.1"',
  'project != "Unassigned" ? (0008,1030) := project',
  '(0010,0010) := subject',
  '(0010,0020) := session',
  '',
].join('\n');

describe('conditions', () => {
  const cases: [string, boolean][] = [
    ['(0008,0060) = "MR"', true],
    ['(0008,0060) = "mr"', false],
    ['(0008,0060) != "CT"', true],
    ['(0008,0060) ~ "M."', true],
    ['(0008,0060) ~ "M"', false], // whole-string match, as Java String.matches
    ['(0008,0060) !~ "C."', true],
    ['(0008,9999) != "X"', true], // a missing element differs from everything
    ['(0008,9999) = "X"', false],
    ['(0008,9999) ~ ".*"', false],
    ['(0008,9999) !~ "X"', true],
    ['(0010,0020) ~ "PID-\\\\d{4}"', true],
    ['(0008,1030) ~ "(?i)brain.*"', true],
  ];
  it.each(cases)('When the condition is %s, then it is %s', (condition, expected) => {
    const ds = buildDataset();
    run(`version "6.3"\n${condition} ? (0012,0010) := "T" : (0012,0010) := "F"`, ds);
    expect(ds.toRecord()['(0012,0010)']).toBe(expected ? 'T' : 'F');
  });

  it('When if/elseif/else conditions are tested, then the first true branch runs and its variables stay visible', () => {
    const ds = buildDataset();
    const script = [
      'version "6.4"',
      'if ((0008,0060) = "CT") {',
      '  label := "ct"',
      '} elseif ((0008,0060) = "MR") {',
      '  label := "mr"',
      '  if ((0010,0010) != "nobody") { inner := "yes" }',
      '} else {',
      '  label := "other"',
      '}',
      '(0008,103E) := concatenate[label, "-", inner]',
    ].join('\n');
    run(script, ds);
    expect(ds.toRecord()['(0008,103E)']).toBe('mr-yes');
  });
});

describe('assignments and deletions', () => {
  it('When := targets a missing element, then it is created; when present, replaced', () => {
    const ds = buildDataset();
    run('version "6.3"\n(0010,4000) := "new"\n(0010,0010) := "ANON"', ds);
    expect(ds.toRecord()).toMatchObject({ '(0010,4000)': 'new', '(0010,0010)': 'ANON' });
  });

  it('When ?= targets a missing element, then nothing is inserted; when present, it is replaced', () => {
    const ds = buildDataset();
    run('version "6.3"\n(0010,4000) ?= "snafu"\n(0010,0010) ?= "snafu"', ds);
    expect(ds.has(0x00104000)).toBe(false);
    expect(ds.toRecord()['(0010,0010)']).toBe('snafu');
  });

  it('When ?= uses digit wildcards, then every existing match is assigned', () => {
    const ds = buildDataset({ '(0010,1001)': 'a', '(0010,1003)': 'b' });
    run('version "6.3"\n(0010,100#) ?= "x"', ds);
    expect(ds.toRecord()).toMatchObject({ '(0010,1001)': 'x', '(0010,1003)': 'x' });
    expect(ds.has(0x00101005)).toBe(false);
  });

  it('When deletes use X, # and @ wildcards, then only matching digits go (RT standardWildcardedDelete)', () => {
    const ds = buildDataset({
      '(0018,9010)': 'even', '(0018,9011)': 'odd', '(0018,9050)': 'even', '(0018,9051)': 'odd', '(0018,9300)': 'a', '(0018,93FF)': 'b',
    });
    run('version "6.3"\n-(0018,901#)\n-(0018,905@)\n-(0018,93XX)', ds);
    const keys = Object.keys(ds.toRecord());
    expect(keys).toContain('(0018,9010)');
    expect(keys).not.toContain('(0018,9011)');
    expect(keys).not.toContain('(0018,9050)');
    expect(keys).toContain('(0018,9051)');
    expect(keys).not.toContain('(0018,9300)');
    expect(keys).not.toContain('(0018,93FF)');
  });

  it('When removeAllPrivateTags runs, then every odd-group top-level element goes, creators included', () => {
    const ds = buildDataset({ '(2001,0010)': 'Philips Imaging DD 001', '(2001,1001)': 'x', '(2005,10FF)': 'y', '(0009,0010)': 'GEMS' });
    run('version "6.0"\nremoveAllPrivateTags', ds);
    expect(Object.keys(ds.toRecord()).filter((k) => /^\(\d{3}[13579BDF]/.test(k))).toEqual([]);
    expect(ds.toRecord()['(0010,0010)']).toBe('Test^Patient');
  });

  it('When a private path names its creator, then the element in that block is found wherever the block is', () => {
    const ds = buildDataset({ '(0019,0011)': 'OTHER', '(0019,0012)': 'SIEMENS MR HEADER', '(0019,120F)': 'v', '(0019,110F)': 'keep' });
    run('version "6.3"\n(0019,{SIEMENS MR HEADER}0F) ?= "changed"\n(0019,{SIEMENS MR HEADER}10) := "new"', ds);
    expect(ds.toRecord()).toMatchObject({ '(0019,120F)': 'changed', '(0019,110F)': 'keep', '(0019,1210)': 'new' });
  });

  it('When a condition names a creator that does not exist, then it is false', () => {
    const ds = buildDataset();
    run('version "6.3"\n(0019,{NONEXISTENT}0F) = "x" ? (0012,0010) := "T" : (0012,0010) := "F"', ds);
    expect(ds.toRecord()['(0012,0010)']).toBe('F');
  });

  it('When := names a private element whose creator block is absent, then the first free block gets the creator and the element is created (DE-14)', () => {
    const ds = buildDataset({ '(0045,0010)': 'OTHER' });
    run('version "6.3"\n(0045,{PCI}45) := "x"', ds);
    expect(ds.toRecord()).toMatchObject({ '(0045,0010)': 'OTHER', '(0045,0011)': 'PCI', '(0045,1145)': 'x' });
  });

  it('When ?= names a private element whose creator block is absent, then nothing is created', () => {
    const ds = buildDataset();
    run('version "6.3"\n(0045,{PCI}45) ?= "x"', ds);
    expect(ds.toRecord()).toEqual(buildDataset().toRecord());
  });

  it('When a variable is initialised from a tag, then later statements see its value', () => {
    const ds = buildDataset();
    run('version "6.3"\nid := (0010,0020)\n(0010,1000) := id\necho id', ds);
    expect(ds.toRecord()['(0010,1000)']).toBe('PID-0001');
  });

  it('When echo runs, then output is collected, not printed', () => {
    expect(run('version "6.3"\necho "hello"\necho (0008,0060)\necho (0008,9999)\necho', buildDataset()).echoes).toEqual(['hello', 'MR', 'null', '']);
  });
});

describe('missing values (DE-47)', () => {
  it('When a missing value is assigned to an absent element, then nothing is created', () => {
    const ds = buildDataset();
    run('version "6.3"\n(0010,1005) := (0010,0022)', ds);
    expect(ds.has(0x00101005)).toBe(false);
  });

  it('When a missing value is assigned to a present element, then the run fails instead of keeping the original', () => {
    const e = runtimeError('version "6.3"\n(0010,0010) := subject', buildDataset(), {});
    expect(e).toMatchObject({ code: 'NULL_ASSIGNMENT', line: 2, column: 1 });
    expect(e.message).toContain('(0010,0010)');
    expect(e.message).not.toContain('Test^Patient');
  });
});

describe('runtime errors', () => {
  it('When a missing value is assigned over a present element, then it fails with NULL_ASSIGNMENT at the statement', () => {
    const e = runtimeError('version "6.3"\n*/(0010,0020) ?= (0010,9999)', buildDataset());
    expect(e).toMatchObject({ name: 'ScriptRuntimeError', code: 'NULL_ASSIGNMENT', line: 2, column: 1 });
    expect(e.message).toBe("line 2, column 1: the value assigned to */(0010,0020) is missing (null) while the element is present; refusing to keep its original value");
  });

  it('When an error mentions a tag, then it never includes element values', () => {
    const ds = buildDataset({ '(0010,0010)': 'SECRET^NAME' });
    for (const script of [
      'version "6.3"\n(0010,0020) := substring[(0010,0010), 5, 99]',
      'version "6.3"\n(0010,0020) := shiftDateByIncrement[(0010,0010), 1]',
      'version "6.3"\n(0010,0020) := match["x", (0010,0010), 0]',
    ]) {
      expect(runtimeError(script, ds).message).not.toMatch(/SECRET/);
    }
  });
});

describe("XNAT's default script", () => {
  it('When applied with project, subject and session, then the labels replace the identifiers', () => {
    const ds = buildDataset();
    const result = run(XNAT_DEFAULT_SCRIPT, ds, { project: 'PROJ1', subject: 'SUBJ01', session: 'SESS01' });
    expect(result).toEqual({ rejected: false, echoes: [] });
    expect(ds.toRecord()).toMatchObject({ '(0008,1030)': 'PROJ1', '(0010,0010)': 'SUBJ01', '(0010,0020)': 'SESS01' });
  });

  it('When the project is "Unassigned", then StudyDescription is left alone', () => {
    const ds = buildDataset();
    run(XNAT_DEFAULT_SCRIPT, ds, { project: 'Unassigned', subject: 'SUBJ01', session: 'SESS01' });
    expect(ds.toRecord()).toMatchObject({ '(0008,1030)': 'Brain Study', '(0010,0010)': 'SUBJ01', '(0010,0020)': 'SESS01' });
  });

  it('When the project is missing (null) and StudyDescription is present, then the run fails rather than keep it', () => {
    const e = runtimeError(XNAT_DEFAULT_SCRIPT, buildDataset(), { subject: 'S', session: 'E' });
    expect(e).toMatchObject({ code: 'NULL_ASSIGNMENT', line: 3 });
  });
});

describe('error positions in ternaries', () => {
  it('When the chosen branch fails, then the error points at the branch', () => {
    const e = runtimeError('version "6.3"\n(0008,0060) = "MR" ? */(0010,0010) ?= (0010,9999)', buildDataset());
    expect(e).toMatchObject({ code: 'NULL_ASSIGNMENT', line: 2, column: 22 });
  });
});
