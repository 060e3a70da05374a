import { describe, expect, it } from 'vitest';
import { applyScript, compileScript, hashUid, parseLookupTables, ScriptCheckError, ScriptRuntimeError } from '../../src/anonymize';
import { buildDataset, MemoryDataset, type MemoryRecord } from '../factories/memory-dataset';

function run(script: string, ds: MemoryDataset, options: Parameters<typeof applyScript>[3] = {}): void {
  applyScript(compileScript(`version "6.7"\n${script}`), ds, {}, options);
}

function runtimeError(script: string, ds: MemoryDataset, options: Parameters<typeof applyScript>[3] = {}): ScriptRuntimeError {
  try {
    run(script, ds, options);
  } catch (e) {
    if (e instanceof ScriptRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a runtime error');
}

const seq = (ds: MemoryDataset, tag: string): MemoryRecord[] => (ds.toTree() as Record<string, MemoryRecord[]>)[tag]!;

describe('retainPrivateTags (MONO TestRetainPrivateTagsFunction)', () => {
  it('When (0029,{sm1}XX) is retained, then the other blocks go and the retained block keeps its creator', () => {
    const ds = buildDataset({
      '(0009,0012)': 'p1',
      '(0009,1200)': 'a',
      '(0009,1201)': 'b',
      '(0029,0011)': 'sm1',
      '(0029,1111)': 'c',
      '(0029,11F1)': 'd',
    });
    run('retainPrivateTags["(0029,{sm1}XX)"]', ds);
    const privates = Object.keys(ds.toRecord()).filter((k) => /^\(00[0-9A-F]{1}[13579BDF],/.test(k));
    expect(privates).toEqual(['(0029,0011)', '(0029,1111)', '(0029,11F1)']);
  });

  it('When an element inside a public sequence is retained, then its creator stays and its neighbours go', () => {
    const ds = buildDataset({ '(0008,1115)': [{ '(0011,0010)': 'p1c', '(0011,103F)': 'keep', '(0011,1033)': 'drop', '(0020,000E)': '1.2' }] });
    run('retainPrivateTags[(0008,1115)/(0011,{p1c}3F)]', ds);
    expect(seq(ds, '(0008,1115)')).toEqual([{ '(0011,0010)': 'p1c', '(0011,103F)': 'keep', '(0020,000E)': '1.2' }]);
  });

  it('When a fictional creator is retained, then the whole real block goes, creator included, private sequences too', () => {
    const ds = buildDataset({ '(0019,0010)': 'REAL', '(0019,1001)': 'x', '(0029,0010)': 'SQ OWNER', '(0029,1001)': [{ '(0029,0010)': 'IN', '(0029,1001)': 'y' }] });
    run('retainPrivateTags[(0019,{FICTIONAL}01)]', ds);
    expect(Object.keys(ds.toTree()).filter((k) => k.startsWith('(0019') || k.startsWith('(0029'))).toEqual([]);
  });

  it('When a retain path ends in * below a private sequence, then everything in its items stays with the creators on the way', () => {
    const ds = buildDataset({
      '(0019,0010)': 'pb1',
      '(0019,10F0)': [{ '(0023,0020)': 'pb2', '(0023,2015)': [{ '(0023,0030)': 'pb3', '(0023,3001)': 'kept', '(0010,0010)': 'x' }], '(0023,2016)': 'dropped' }],
      '(0019,10F1)': 'dropped too',
    });
    run('retainPrivateTags[(0019,{pb1}F0)/(0023,{pb2}15)[%]/*]', ds);
    const tree = ds.toTree();
    expect(tree['(0019,10F1)']).toBeUndefined();
    expect(tree['(0019,0010)']).toBe('pb1');
    expect(tree['(0019,10F0)']).toEqual([{ '(0023,0020)': 'pb2', '(0023,2015)': [{ '(0010,0010)': 'x', '(0023,0030)': 'pb3', '(0023,3001)': 'kept' }] }]);
  });

  it('When a public tag is given to retainPrivateTags, then the script is refused', () => {
    expect(() => compileScript('version "6.3"\nretainPrivateTags[(0028,0010)]')).toThrow(ScriptCheckError);
  });
});

describe('removeTags, set and delete at any depth', () => {
  it('When removeTags gets digit wildcards, lists and missing paths, then every match goes and missing ones are ignored', () => {
    const ds = buildDataset({ '(0010,1000)': 'o', '(0010,1002)': 'x', '(0010,1010)': '045Y', '(0008,1115)': [{ '(0010,1040)': 'addr' }] });
    run('removeTags[(0010,10@@), {(0008,1115)/(0010,1040), (0040,0000)}]', ds);
    const record = ds.toRecord();
    expect(['(0010,1000)', '(0010,1002)', '(0010,1010)'].map((k) => record[k])).toEqual([undefined, undefined, '045Y']);
    expect(seq(ds, '(0008,1115)')).toEqual([{}]);
  });

  it('When set and delete get string paths into items, then they act there (DE-52 and DE-91 fixed)', () => {
    const ds = buildDataset({ '(0008,1115)': [{ '(0020,000E)': '1.1', '(0045,0010)': 'PCI' }, { '(0020,000E)': '1.2' }] });
    run('set["(0008,1115)[0]/(0045,{PCI}45)", "v"]\nset["(0008,1115)[0]/(0008,103E)", "d"]\ndelete["(0008,1115)[1]"]', ds);
    expect(seq(ds, '(0008,1115)')).toEqual([{ '(0008,103E)': 'd', '(0020,000E)': '1.1', '(0045,0010)': 'PCI', '(0045,1045)': 'v' }]);
  });
});

describe('private tags by number inside strings (RT set.das, deleteFunction.das)', () => {
  it('When set and delete get private tags by number in strings, then the creator is set first and the element follows', () => {
    const ds = buildDataset({ '(0020,9222)': [{}], '(2001,0010)': 'Philips Imaging DD 001', '(2001,1019)': 'x', '(2001,101F)': 'y' });
    run('set["(0045,0010)", "PCI"]\nset["(0045,1045)", "PRIVATEVALUE"]\nset["(0020,9222)[0]/(0045,0010)", "PCI"]\ndelete["(2001,1019)"]\ndelete["(2001,101f)"]', ds);
    const tree = ds.toTree();
    expect([tree['(0045,0010)'], tree['(0045,1045)'], tree['(2001,1019)'], tree['(2001,101F)']]).toEqual(['PCI', 'PRIVATEVALUE', undefined, undefined]);
    expect(tree['(0020,9222)']).toEqual([{ '(0045,0010)': 'PCI' }]);
  });

  it('When a private tag by number appears outside a string, or in retainPrivateTags, then the script is refused', () => {
    expect(() => compileScript('version "6.3"\n(0045,1045) := "x"')).toThrow('must name its creator');
    expect(() => compileScript('version "6.3"\nretainPrivateTags["(0029,1010)"]')).toThrow(ScriptCheckError);
  });

  it('When blankValues has no arguments, then it is accepted and changes nothing', () => {
    const ds = buildDataset();
    run('blankValues[]', ds);
    expect(ds.toRecord()).toEqual(buildDataset().toRecord());
  });
});

describe('UID functions', () => {
  it('When hashUIDList names paths at any depth and a multi-valued element, then each UID is hashed in place and nothing is inserted', () => {
    const ds = buildDataset({
      '(0008,001A)': '1.2.3.4.5\\1.2.3.4.5.6',
      '(0008,1115)': [{ '(0008,1199)': [{ '(0008,1155)': '1.2.3.4.5' }] }],
    });
    run('hashUIDList[(0008,0018), (0008,001A), "*/(0008,1155)", (0020,0052)]', ds);
    expect(ds.getString(0x00080018)).toBe('2.25.281097975800109040096884226991818420711');
    expect(ds.getString(0x0008001a)).toBe('2.25.281097975800109040096884226991818420711\\2.25.262228503153619312954819897114011402300');
    expect((seq(ds, '(0008,1115)')[0]!['(0008,1199)'] as MemoryRecord[])[0]!['(0008,1155)']).toBe('2.25.281097975800109040096884226991818420711');
    expect(ds.has(0x00200052)).toBe(false);
  });

  it('When mapReferencedUIDs maps a UID and its references, then all become root + hash and still agree', () => {
    const ds = buildDataset({ '(0020,9221)': [{ '(0020,9222)': [{ '(0020,9164)': '1.2.3.4.5.6' }] }], '(0020,000D)': '1.2.3.4.5.6' });
    run('mapReferencedUIDs["1.2.840.99", "(0020,000D)", "(0020,9221)/(0020,9222)/(0020,9164)"]', ds);
    const expected = `1.2.840.99.${hashUid('1.2.3.4.5.6').slice(5)}`;
    expect(expected).toBe('1.2.840.99.262228503153619312954819897114011402300');
    expect(ds.getString(0x0020000d)).toBe(expected);
    const inner = (seq(ds, '(0020,9221)')[0]!['(0020,9222)'] as MemoryRecord[])[0]!;
    expect(inner['(0020,9164)']).toBe(expected);
  });

  it('When mapUID maps a value under a prefix, then the same value always gives the same UID and other values others', () => {
    const ds = buildDataset({ '(0020,000E)': '1.2.3.4.5' });
    run('(0020,000E) := mapUID[(0020,000E), "1.2.840.99"]\n(0008,1155) := mapUID["1.2.3.4.5", "1.2.840.99"]\n(0008,0018) := mapUID["1.2.3.4.5.6", "1.2.840.99"]', ds);
    expect(ds.getString(0x0020000e)).toBe('1.2.840.99.281097975800109040096884226991818420711');
    expect(ds.getString(0x00081155)).toBe(ds.getString(0x0020000e));
    expect(ds.getString(0x00080018)).toBe('1.2.840.99.262228503153619312954819897114011402300');
  });

  it('When the UID root would make UIDs longer than 64 characters, then mapReferencedUIDs fails', () => {
    const e = runtimeError('mapReferencedUIDs["1.2.840.99999999999999999999999", "(0020,000D)"]', buildDataset());
    expect(e.code).toBe('BAD_ARGUMENT');
  });
});

describe('values: collectValues and blankValues (RT TestAnonymizationCollectBlankValues)', () => {
  it('When blankValues gets collected values, then equal text values are blanked everywhere, ignoring outer spaces only', () => {
    const ds = buildDataset({
      '(0010,1000)': 'PID-0001',
      '(0008,1030)': 'pid-0001',
      '(0010,21B0)': 'was PID-0001',
      '(0010,4000)': ' PID-0001 ',
      '(0008,1115)': [{ '(0010,0020)': 'PID-0001' }],
      '(0028,0010)': '512',
    });
    run('blankValues[collectValues[(0010,0020)]]\nblankValues["512"]', ds);
    const r = ds.toRecord();
    expect([r['(0010,0020)'], r['(0010,1000)'], r['(0010,4000)'], r['(0008,1030)'], r['(0010,21B0)']]).toEqual(['', '', '', 'pid-0001', 'was PID-0001']);
    expect(seq(ds, '(0008,1115)')).toEqual([{ '(0010,0020)': '' }]);
    // Rows is a binary number (US): it never takes part.
    expect(r['(0028,0010)']).toBe('512');
  });
});

describe('dates', () => {
  it('When shiftDateTimeSequenceByIncrement shifts dates and date-times at all depths, then DA moves by days and DT keeps its form', () => {
    const ds = buildDataset({ '(0008,1115)': [{ '(0010,0030)': '19700101' }, { '(0040,A032)': '20010213184746+0100' }] });
    run('shiftDateTimeSequenceByIncrement[1209600, "*/(0010,0030)"]\nshiftDateTimeSequenceByIncrement[-60, "+/(0040,A032)"]', ds);
    expect(ds.getString(0x00100030)).toBe('19700115');
    expect(seq(ds, '(0008,1115)')).toEqual([{ '(0010,0030)': '19700115' }, { '(0040,A032)': '20010213184646+0100' }]);
  });

  it('When shiftDateTimeListByIncrement shifts a list of dates by -300 days, then each keeps its precision (MONO golden values)', () => {
    const values = ['2023', '202305', '20230519', '2023051913', '202305191330', '20230519133022', '20230519133022.123'];
    const shifted = ['2022', '202207', '20220723', '2022072313', '202207231330', '20220723133022', '20220723133022.123'];
    const tags = ['(0008,002A)', '(0040,A120)', '(0018,A002)', '(0018,9151)', '(0040,A13A)', '(0018,9074)', '(0400,0105)'];
    const ds = buildDataset(Object.fromEntries(tags.map((t, k) => [t, values[k]!])));
    run(`shiftDateTimeListByIncrement[{${tags.join(', ')}}, "-300", "days"]`, ds);
    expect(tags.map((t) => ds.toRecord()[t])).toEqual(shifted);
    expect(runtimeError('shiftDateTimeListByIncrement[{(0010,0010)}, "-1", "seconds"]', buildDataset({ '(0010,0010)': 'Doe^John' })).detail).not.toContain('Doe');
  });

  it('When shiftDateByIncrement is a statement on a nested path, then it shifts every match in place', () => {
    const ds = buildDataset({ '(0008,1115)': [{ '(0008,0020)': '20200228' }, { '(0008,0020)': '20181231' }] });
    run('shiftDateByIncrement[(0008,1115)/(0008,0020), 2]', ds);
    expect(seq(ds, '(0008,1115)').map((i) => i['(0008,0020)'])).toEqual(['20200301', '20190102']);
  });

  it.each([
    ['19000101', '20000131', '100Y', '19110201', '089Y'],
    ['19110201', '20000131', '088Y', '19110201', '088Y'],
    ['19100131', '20000131', '090Y', '19110201', '089Y'],
    ['19000101', '20000229', '100Y', '19110301', '089Y'],
    ['', '20000131', '100Y', '', '100Y'],
  ])('When DOB is %s and the study is on %s (age %s), then scalePatientAgeAndDobFromStudyDate gives DOB %s and age %s', (dob, study, age, newDob, newAge) => {
    const ds = buildDataset({ '(0010,0030)': dob, '(0008,0020)': study, '(0010,1010)': age });
    run('scalePatientAgeAndDobFromStudyDate[]', ds);
    expect([ds.getString(0x00100030), ds.getString(0x00101010)]).toEqual([newDob, newAge]);
  });

  it('When the patient is over 89 but Patient Age is absent, then it is not inserted', () => {
    const ds = buildDataset({ '(0010,0030)': '19000101', '(0008,0020)': '20000131' });
    run('scalePatientAgeAndDobFromStudyDate[]', ds);
    expect([ds.getString(0x00100030), ds.has(0x00101010)]).toEqual(['19110201', false]);
  });
});

describe('lookup', () => {
  const tables = parseLookupTables('# site table\npid/PID-0001 = SUBJ-7\npid / PID-0002=SUBJ-8\nsite/name = Example Site\n');

  it('When lookup finds the key in a site table, then it gives the value; a missing key gives null', () => {
    const ds = buildDataset();
    run('(0010,0020) := lookup["pid", (0010,0020)]\n(0008,0080) := lookup["site", "name"]\n(0010,1000) := lookup["pid", "unknown"]', ds, { lookupTables: tables });
    expect([ds.getString(0x00100020), ds.getString(0x00080080), ds.has(0x00101000)]).toEqual(['SUBJ-7', 'Example Site', false]);
  });

  it('When the table was not supplied, then lookup fails naming the table', () => {
    const e = runtimeError('(0010,0020) := lookup["pid", (0010,0020)]', buildDataset());
    expect(e.detail).toBe('lookup: no lookup table named "pid" was supplied; upload it with the script');
  });

  it('When a table line is malformed, then parsing fails with its line number and without its content', () => {
    expect(() => parseLookupTables('pid/a = 1\nSECRET-NO-SLASH\n')).toThrow('lookup table line 2 is not of the form table/key = value');
  });
});

describe('alterPixels', () => {
  const geometry = { rows: 4, columns: 5, frames: 2, samplesPerPixel: 1, bitsAllocated: 16, planarConfiguration: 0 };

  it('When alterPixels fills a rectangle, then columns [l, r) and rows [t, b) of every frame take the value', () => {
    const pixels = { geometry, bytes: Buffer.alloc(4 * 5 * 2 * 2, 0xff) };
    const ds = new MemoryDataset({ '(7FE0,0010)': '' }, pixels);
    run('alterPixels["rectangle", "l=1, t=2, r=3, b=4", "solid", "v=7"]', ds);
    for (let f = 0; f < 2; f++) {
      for (let r = 0; r < 4; r++) {
        const row = [...Array(5).keys()].map((c) => pixels.bytes.readUInt16LE(((f * 4 + r) * 5 + c) * 2));
        expect(row).toEqual(r >= 2 ? [0xffff, 7, 7, 0xffff, 0xffff] : [0xffff, 0xffff, 0xffff, 0xffff, 0xffff]);
      }
    }
  });

  it('When the instance has no pixel data, then alterPixels does nothing; bad parameters fail', () => {
    const ds = buildDataset();
    run('alterPixels["rectangle", "l=1, t=2, r=3, b=4", "solid", "v=7"]', ds);
    expect(ds.toRecord()).toEqual(buildDataset().toRecord());
    expect(runtimeError('alterPixels["circle", "l=1, t=2, r=3, b=4", "solid", "v=7"]', ds).code).toBe('BAD_ARGUMENT');
    expect(runtimeError('alterPixels["rectangle", "l=1, t=2, r=3", "solid", "v=7"]', ds).detail).toBe('alterPixels: the rectangle parameters lack b');
  });
});
