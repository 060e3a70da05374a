import { describe, expect, it } from 'vitest';
import { applyScript, compileScript, hashUid, ScriptRuntimeError } from '../../src/anonymize';
import { buildDataset, MemoryDataset } from '../factories/memory-dataset';

/** Runs `target := expression` on a dataset and returns the new value of the target. */
function valueOf(expression: string, ds: MemoryDataset = buildDataset(), version = '6.7'): string | undefined {
  applyScript(compileScript(`version "${version}"\n(0008,0100) := ${expression}`), ds, {});
  return ds.toRecord()['(0008,0100)'];
}

function runtimeError(script: string, ds: MemoryDataset = buildDataset()): ScriptRuntimeError {
  try {
    applyScript(compileScript(script), ds, {});
  } catch (e) {
    if (e instanceof ScriptRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a runtime error');
}

describe('string functions', () => {
  it('When concatenate gets three strings, then they are joined (RT stringFunctions)', () => {
    expect(valueOf('concatenate["10","20","30"]')).toBe('102030');
  });

  it('When format gets a MessageFormat pattern, then {n} are replaced and quotes escape', () => {
    expect(valueOf('format["{0}_{1}_{2}_{3}", "mr", "PDW", (0008,0060), 7]')).toBe('mr_PDW_MR_7');
    expect(valueOf(`format["'{0}' is {0}, it''s {1}", "a"]`)).toBe("{0} is a, it's {1}");
  });

  it('When lowercase and uppercase get a value or a tag path, then the case changes', () => {
    expect(valueOf('lowercase["MiXeD"]')).toBe('mixed');
    expect(valueOf('uppercase[(0008,103E)]')).toBe('T1 AXIAL');
  });

  it('When substring gets begin and end, then Java semantics apply (0-based, end exclusive)', () => {
    expect(valueOf('substring["0123456789",0,8]')).toBe('01234567');
  });

  it('When replace is given regex characters, then they are literal and every occurrence changes', () => {
    expect(valueOf('replace["01234567","3","0"]')).toBe('01204567');
    expect(valueOf('replace["a.b.c",".","-"]')).toBe('a-b-c');
  });

  it('When the RT combined string test runs, then it gives mr_PDW_TSE_01204567_102030', () => {
    const ds = buildDataset();
    const script = [
      'version "6.3"',
      'a := lowercase["MR"]',
      'b := substring["0123456789",0,8]',
      'c := replace[b,"3","0"]',
      'd := concatenate["10","20","30"]',
      '(0008,0100) := format["{0}_{1}_{2}_{3}", a, "PDW_TSE", c, d]',
    ].join('\n');
    applyScript(compileScript(script), ds, {});
    expect(ds.toRecord()['(0008,0100)']).toBe('mr_PDW_TSE_01204567_102030');
  });

  it('When normalizeString meets non-ASCII characters, then each is replaced (default "_")', () => {
    expect(valueOf('normalizeString["Müller^José"]')).toBe('M_ller^Jos_');
    expect(valueOf('normalizeString["Zoë😀", "?"]')).toBe('Zo??');
  });

  it('When substring indices are out of range, then the error names the position, not the value', () => {
    const e = runtimeError('version "6.3"\n(0008,0100) := substring[(0010,0010), 0, 99]');
    expect(e).toMatchObject({ code: 'BAD_ARGUMENT', line: 2, column: 16 });
    expect(e.message).not.toContain('Test^Patient');
  });
});

describe('UID functions', () => {
  it.each([
    ['1.2.3.4.5', '2.25.281097975800109040096884226991818420711'],
    ['1.2.3.4.5.6', '2.25.262228503153619312954819897114011402300'],
    ['99.99999.99999999999.999999999999999.999999999', '2.25.25035822876724830630813723844719420300'],
  ])('When hashUID gets %s, then it gives the RT golden value', (uid, hashed) => {
    expect(hashUid(uid)).toBe(hashed);
    expect(valueOf(`hashUID["${uid}"]`)).toBe(hashed);
  });

  it('When hashUID gets a tag path, then it hashes the element value', () => {
    expect(valueOf('hashUID[(0008,0018)]')).toBe('2.25.281097975800109040096884226991818420711');
  });

  it('When hashUID reads a missing element, then it returns null and the absent target stays absent', () => {
    const ds = buildDataset();
    expect(valueOf('hashUID[(0008,1155)]', ds)).toBeUndefined();
  });

  it('When newUID is called twice, then two different 2.25 UIDs come back', () => {
    const a = valueOf('newUID[]');
    const b = valueOf('newUID[]');
    expect(a).toMatch(/^2\.25\.\d+$/);
    expect(a).not.toBe(b);
  });
});

describe('date functions', () => {
  it.each([
    ['20200228', '2', '20200301'],
    ['20210228', '2', '20210302'],
    ['20200228', '-5', '20200223'],
    ['20181231', '365', '20191231'],
  ])('When shiftDateByIncrement shifts %s by %s days, then it gives %s', (date, days, expected) => {
    expect(valueOf(`shiftDateByIncrement["${date}", ${days}]`)).toBe(expected);
  });

  it.each([
    ['20100430130441.40', '360', '20100430131041.40'],
    ['20200228235800', '180', '20200229000100'],
    ['19960808140000', '-600', '19960808135000'],
    ['20200101120000+0500', '10', '20200101120010+0500'],
    ['1960', '0', '1960'],
    ['196005', '0', '196005'],
    ['19600519', '0', '19600519'],
    ['1960051913', '0', '1960051913'],
    ['196005191324', '0', '196005191324'],
    ['19600519132435', '0', '19600519132435'],
  ])('When shiftDateTimeByIncrement shifts %s by %s s, then it gives %s', (dt, seconds, expected) => {
    expect(valueOf(`shiftDateTimeByIncrement["${dt}", ${seconds}]`)).toBe(expected);
  });

  it('When shiftDateTimeByIncrement is a statement on a tag, then it edits the element in place', () => {
    const ds = buildDataset({ '(0008,002A)': '20100430130441.40' });
    applyScript(compileScript('version "6.3"\nshiftDateTimeByIncrement[(0008,002A), 360]'), ds, {});
    expect(ds.toRecord()['(0008,002A)']).toBe('20100430131041.40');
  });

  it('When a date is malformed, then the error does not quote it', () => {
    const ds = buildDataset({ '(0010,0030)': '1970-01-01' });
    const e = runtimeError('version "6.3"\n(0010,0030) := shiftDateByIncrement[(0010,0030), 3]', ds);
    expect(e).toMatchObject({ code: 'BAD_ARGUMENT', line: 2, column: 16 });
    expect(e.message).not.toContain('1970-01-01');
  });
});

describe('regex functions', () => {
  it('When match takes group 2 of (a(b)?)+ on "aba", then it gives "b" as Java does', () => {
    expect(valueOf('match["aba","(a(b)?)+",2]')).toBe('b');
  });

  it('When ismatch tests StudyDate 20100430, then \\d{8} is true and \\d{7} is false', () => {
    expect(valueOf('ismatch[(0008,0020), "\\\\d{8}"]')).toBe('true');
    expect(valueOf('ismatch[(0008,0020), "\\\\d{7}"]')).toBe('false');
  });
});

describe('tag functions and control', () => {
  it('When isPresent lists paths, then it is true only when all are present', () => {
    const ds = buildDataset();
    const script = [
      'version "6.7"',
      'isPresent[(0008,0060)] ? (0012,0010) := "yes" : (0012,0010) := "no"',
      'isPresent[(0008,0060), (0008,0061)] ? (0012,0020) := "yes" : (0012,0020) := "no"',
      'isPresent[(0008,0061)] ? (0012,0021) := "yes" : (0012,0021) := "no"',
    ].join('\n');
    applyScript(compileScript(script), ds, {});
    expect(ds.toRecord()).toMatchObject({ '(0012,0010)': 'yes', '(0012,0020)': 'no', '(0012,0021)': 'no' });
  });

  it('When removeTags gets wildcards and lists, then every match goes and missing ones are ignored', () => {
    const ds = buildDataset({ '(0010,1000)': 'a', '(0010,1002)': 'b', '(0010,1001)': 'c', '(0010,2160)': 'd' });
    applyScript(compileScript('version "6.6"\nremoveTags[(0010,10@@), {(0010,2160), (0010,9999)}]'), ds, {});
    expect(Object.keys(ds.toRecord())).not.toContain('(0010,1000)');
    expect(Object.keys(ds.toRecord())).not.toContain('(0010,1002)');
    expect(Object.keys(ds.toRecord())).not.toContain('(0010,2160)');
    expect(ds.toRecord()['(0010,1001)']).toBe('c');
  });

  it('When true[] and false[] are conditions, then they choose the branch', () => {
    const ds = buildDataset();
    applyScript(compileScript('version "6.7"\ntrue[] ? (0012,0010) := "t"\nfalse[] ? (0012,0020) := "t" : (0012,0020) := "f"'), ds, {});
    expect(ds.toRecord()).toMatchObject({ '(0012,0010)': 't', '(0012,0020)': 'f' });
  });

  it('When reject[] runs, then the result is rejected and the rest of the script is skipped', () => {
    const ds = buildDataset({ '(0020,0011)': '5' });
    const result = applyScript(compileScript('version "6.6"\n(0020,0011) = "5" ? reject[]\necho "after"'), ds, {});
    expect(result).toEqual({ rejected: true, echoes: [] });
  });

  it('When reject[] is guarded by a false condition, then the instance is kept', () => {
    const ds = buildDataset({ '(0020,0013)': '1' });
    const result = applyScript(compileScript('version "6.6"\nif ((0020,0013) != "1") {\n reject[]\n}'), ds, {});
    expect(result.rejected).toBe(false);
  });

  it('When a function this engine deliberately does not run is called, then it fails with NOT_IMPLEMENTED at its call', () => {
    const e = runtimeError('version "6.6"\n\ngetURL["http://example.org/site"]');
    expect(e).toMatchObject({ name: 'ScriptRuntimeError', code: 'NOT_IMPLEMENTED', line: 3, column: 1 });
    expect(e.message).toBe('line 3, column 1: getURL: function getURL is not supported by this engine (see docs/dicomedit.md)');
  });

  it('When set and delete get string paths, then they act at the top level', () => {
    const ds = buildDataset();
    applyScript(compileScript('version "6.3"\nset["(0010,4000)", "note"]\ndelete["(0010,0030)"]'), ds, {});
    expect(ds.toRecord()['(0010,4000)']).toBe('note');
    expect(ds.has(0x00100030)).toBe(false);
  });

  it('When collectValues gathers values, then a variable holds the list and echo shows it', () => {
    const result = applyScript(compileScript('version "6.6"\nv := collectValues[(0010,0010), (0010,0020)]\necho v'), buildDataset(), {});
    expect(result.echoes).toEqual(['[Test^Patient, PID-0001]']);
  });
});
