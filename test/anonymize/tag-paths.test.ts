import { describe, expect, it } from 'vitest';
import { applyScript, compileScript, ScriptCheckError } from '../../src/anonymize';
import { buildDataset, type MemoryDataset, type MemoryRecord } from '../factories/memory-dataset';

function run(script: string, ds: MemoryDataset): void {
  applyScript(compileScript(`version "6.6"\n${script}`), ds, {});
}

/** PatientID at the root, in both items of (0008,1115) and in an item nested one level further (§2.2 case 1). */
function nested(): MemoryDataset {
  return buildDataset({
    '(0008,1115)': [
      {
        '(0010,0020)': 'ITEM-0',
        '(0020,000E)': '1.2.3.10',
        '(0008,1199)': [{ '(0010,0020)': 'DEEP-0', '(0008,1155)': '1.2.3.10.1' }, { '(0008,1155)': '1.2.3.10.2' }],
      },
      { '(0010,0020)': 'ITEM-1', '(0020,000E)': '1.2.3.11' },
    ],
  });
}

type Ids = [root: string | undefined, item0: string | undefined, item1: string | undefined, deep: string | undefined];

function patientIds(ds: MemoryDataset): Ids {
  const t = ds.toTree() as Record<string, unknown>;
  const seq = t['(0008,1115)'] as Record<string, unknown>[];
  const deep = (seq[0]!['(0008,1199)'] as Record<string, unknown>[])[0]!;
  return [t['(0010,0020)'], seq[0]!['(0010,0020)'], seq[1]!['(0010,0020)'], deep['(0010,0020)']] as Ids;
}

describe('level wildcards (§1.4)', () => {
  const cases: [string, Ids][] = [
    ['*', ['X', 'X', 'X', 'X']],
    ['+', ['PID-0001', 'X', 'X', 'X']],
    ['.', ['PID-0001', 'X', 'X', 'DEEP-0']],
  ];
  it.each(cases)('When %s/(0010,0020) ?= "X" runs on a nested document, then exactly the levels of the §1.4 table change', (wildcard, expected) => {
    const ds = nested();
    run(`${wildcard}/(0010,0020) ?= "X"`, ds);
    expect(patientIds(ds)).toEqual(expected);
  });

  it('When := targets a path that can match several elements, then the script is refused (DicomEdit: plural assignment is an error)', () => {
    for (const target of ['*/(0008,1155)', '+/(0010,0010)', '(0008,1115)[%]/(0020,000E)', '(0008,1115)/(0020,000E)', '(0010,10X0)', '(002#,{PVT}01)[1]/(0010,0010)']) {
      expect(() => compileScript(`version "6.6"\n${target} := "x"`)).toThrow(`cannot assign to ${target}: the path can match several elements; use ?= to change every existing match`);
    }
  });

  it('When set gets a plural path at run time, then it fails with PLURAL_TAGPATH', () => {
    let caught: unknown;
    try {
      run('set["*/(0010,0010)", "x"]', nested());
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'ScriptRuntimeError', code: 'PLURAL_TAGPATH' });
  });

  it('When a level wildcard sits between sequences, then it matches at any depth below that sequence', () => {
    const ds = nested();
    run('-(0008,1115)/*/(0008,1155)', ds);
    const tree = ds.toTree() as Record<string, MemoryRecord[]>;
    expect((tree['(0008,1115)']![0]!['(0008,1199)'] as MemoryRecord[]).map((i) => i['(0008,1155)'])).toEqual([undefined, undefined]);
  });
});

describe('item selectors', () => {
  it('When := names [n] of an existing item, then the element is written or inserted there only', () => {
    const ds = nested();
    run('(0008,1115)[1]/(0020,000E) := "4.5"\n(0008,1115)[1]/(0008,103E) := "inserted"', ds);
    const seq = (ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']!;
    expect(seq.map((i) => [i['(0020,000E)'], i['(0008,103E)']])).toEqual([['1.2.3.10', undefined], ['4.5', 'inserted']]);
  });

  it('When ?= names an item that does not exist, then no item and no element is created', () => {
    const ds = nested();
    const before = ds.toTree();
    run('(0008,1115)[5]/(0010,0010) ?= "y"\n(0008,1140)[0]/(0010,0010) ?= "z"\n*/(0010,1000) ?= "w"', ds);
    expect(ds.toTree()).toEqual(before);
  });

  it('When := names an item that does not exist, then the sequence and items up to it are created, as in DicomEdit', () => {
    const ds = nested();
    run('(0008,1115)[3]/(0010,0010) := "x"\n(0008,1140)[0]/(0008,1155)[1]/(0008,1150) := "1.2"', ds);
    const tree = ds.toTree() as Record<string, MemoryRecord[]>;
    expect(tree['(0008,1115)']!.slice(2)).toEqual([{}, { '(0010,0010)': 'x' }]);
    expect(tree['(0008,1140)']).toEqual([{ '(0008,1155)': [{}, { '(0008,1150)': '1.2' }] }]);
  });

  it('When := names a private sequence item whose creator is absent, then the block, the sequence and the item are created', () => {
    const ds = buildDataset();
    run('(0021,{PVT ID}01)[1]/(0010,0010) := "Assigned"', ds);
    expect((ds.toTree() as Record<string, unknown>)['(0021,0010)']).toBe('PVT ID');
    expect((ds.toTree() as Record<string, MemoryRecord[]>)['(0021,1001)']).toEqual([{}, { '(0010,0010)': 'Assigned' }]);
  });

  it('When := with a missing value names a missing item, then nothing is created', () => {
    const ds = nested();
    const before = ds.toTree();
    run('(0008,1115)[4]/(0010,0010) := (0010,9999)\n(0021,{PVT ID}01)[0]/(0010,0010) := (0010,9999)', ds);
    expect(ds.toTree()).toEqual(before);
  });

  it('When [%] or a bare sequence leads a ?= path, then every item is addressed, and only existing elements change', () => {
    const ds = nested();
    run('(0008,1115)[%]/(0020,000E) ?= "7.7"\n(0008,1115)/(0008,1199)/(0008,1155) ?= "1.2.9"', ds);
    const seq = (ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']!;
    expect(seq.map((i) => i['(0020,000E)'])).toEqual(['7.7', '7.7']);
    expect((seq[0]!['(0008,1199)'] as MemoryRecord[]).map((i) => i['(0008,1155)'])).toEqual(['1.2.9', '1.2.9']);
    expect(seq[1]!['(0008,1199)']).toBeUndefined();
  });

  it('When - names an item, then the item is removed (DE-91 fixed) and later items move up', () => {
    const ds = nested();
    run('-(0008,1115)[0]', ds);
    const seq = (ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']!;
    expect(seq.map((i) => i['(0010,0020)'])).toEqual(['ITEM-1']);
  });

  it('When - names [%] items, then all items go and the empty sequence stays', () => {
    const ds = nested();
    run('-(0008,1115)[0]/(0008,1199)[%]', ds);
    const seq = (ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']!;
    expect(seq[0]!['(0008,1199)']).toEqual([]);
  });
});

describe('digit wildcards and private creators at any depth', () => {
  it('When a nested path ends in digit wildcards, then every matching element in those items goes', () => {
    const ds = buildDataset({ '(0008,1115)': [{ '(0010,1010)': '045Y', '(0010,1020)': '1.80', '(0010,1030)': '80', '(0010,0020)': 'keep' }] });
    run('-(0008,1115)[%]/(0010,10#0)', ds);
    expect((ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']).toEqual([{ '(0010,0020)': 'keep', '(0010,1020)': '1.80' }]);
  });

  it('When a private creator is used inside items, then it resolves per item whatever its block number', () => {
    const ds = buildDataset({
      '(0008,1115)': [
        { '(0019,0010)': 'OTHER', '(0019,0011)': 'SYN', '(0019,1101)': 'a', '(0019,1001)': 'other block' },
        { '(0019,0010)': 'SYN', '(0019,1001)': 'b' },
        { '(0020,000E)': '1.2' },
      ],
    });
    run('*/(0019,{SYN}01) ?= "x"\n(0008,1115)[2]/(0019,{SYN}02) := "created"', ds);
    expect((ds.toTree() as Record<string, MemoryRecord[]>)['(0008,1115)']).toEqual([
      { '(0019,0010)': 'OTHER', '(0019,0011)': 'SYN', '(0019,1001)': 'other block', '(0019,1101)': 'x' },
      { '(0019,0010)': 'SYN', '(0019,1001)': 'x' },
      { '(0019,0010)': 'SYN', '(0019,1002)': 'created', '(0020,000E)': '1.2' },
    ]);
  });

  it('When a condition names a private element of a creator that does not exist, then it is false', () => {
    const ds = buildDataset({ '(0019,0010)': 'SYN', '(0019,1001)': 'v' });
    run('(0019,{NONEXISTENT}01) = "v" ? (0012,0010) := "T" : (0012,0010) := "F"\n(0019,{SYN}01) = "v" ? (0012,0020) := "T" : (0012,0020) := "F"', ds);
    expect([ds.getString(0x00120010), ds.getString(0x00120020)]).toEqual(['F', 'T']);
  });

  it('When removeAllPrivateTags runs, then private elements go at every depth and items left empty stay, as in DicomEdit', () => {
    const ds = buildDataset({
      '(0009,0010)': 'TOP',
      '(0009,1001)': 'top value',
      '(0008,1115)': [
        { '(0019,0010)': 'IN ITEM', '(0019,1001)': 'x', '(0020,000E)': '1.2' },
        { '(0019,0010)': 'ONLY PRIVATE', '(0019,1001)': 'y' },
        { '(0008,1199)': [{ '(0021,0010)': 'DEEP', '(0021,1001)': [{ '(0010,0010)': 'Hidden^Name' }], '(0008,1155)': '1.2.3' }] },
      ],
      '(0029,0010)': 'PRIVATE SQ',
      '(0029,1001)': [{ '(0010,0010)': 'Other^Name' }],
    });
    run('removeAllPrivateTags', ds);
    const tree = ds.toTree();
    expect(JSON.stringify(tree)).not.toMatch(/\(00(09|19|21|29),/);
    expect(tree['(0008,1115)']).toEqual([{ '(0020,000E)': '1.2' }, {}, { '(0008,1199)': [{ '(0008,1155)': '1.2.3' }] }]);
  });
});

describe('tag paths as values', () => {
  it('When a singular nested path is a value, then its value is used, and a missing item gives null (nothing inserted)', () => {
    const ds = nested();
    run('(0010,1000) := (0008,1115)[1]/(0020,000E)\n(0010,1001) := (0008,1115)[7]/(0020,000E)', ds);
    expect(ds.getString(0x00101000)).toBe('1.2.3.11');
    expect(ds.has(0x00101001)).toBe(false);
  });

  it('When a path that can match several elements is used as a value, then the script is refused', () => {
    expect(() => compileScript('version "6.6"\n(0010,1000) := (0008,1115)[%]/(0020,000E)')).toThrow(ScriptCheckError);
    expect(() => compileScript('version "6.6"\n(0010,1000) := */(0020,000E)')).toThrow('Path matching multiple tags not allowed as term');
  });

  it('When a plural path given to a value-taking function matches several elements, then it fails; one match is its value', () => {
    let caught: unknown;
    try {
      run('(0010,1000) := concatenate[*/(0010,0020)]', nested());
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'ScriptRuntimeError', code: 'PLURAL_TAGPATH', line: 2 });
    expect((caught as Error).message).toContain('Path matching multiple tags not allowed as term: */(0010,0020)');
    const ds = nested();
    const single = buildDataset({ '(0008,1115)': [{ '(0008,1199)': [{ '(0008,1155)': '1.2' }] }] });
    run('(0010,1000) := concatenate[./(0008,1199)/(0008,1155), "-x"]', single);
    expect(single.getString(0x00101000)).toBe('1.2-x');
    run('(0010,1000) := concatenate[(0008,1115)[1]/(0010,0020), "-x"]', ds);
    expect(ds.getString(0x00101000)).toBe('ITEM-1-x');
  });

  it('When conditions and isPresent read nested paths, then they see the items', () => {
    const ds = nested();
    run(
      [
        '(0008,1115)[0]/(0020,000E) = "1.2.3.10" ? (0012,0010) := "T" : (0012,0010) := "F"',
        'isPresent["(0008,1115)[0]/(0008,1199)[1]"] ? (0012,0020) := "T" : (0012,0020) := "F"',
        'isPresent[(0008,1115)[1]/(0008,1199)] ? (0012,0021) := "T" : (0012,0021) := "F"',
      ].join('\n'),
      ds,
    );
    expect([ds.getString(0x00120010), ds.getString(0x00120020), ds.getString(0x00120021)]).toEqual(['T', 'T', 'F']);
  });
});
