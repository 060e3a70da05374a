/**
 * Clean Pixel Data (E.3.1) on real files: the matching rule's rectangles are blanked in every frame and sample,
 * every other pixel is unchanged (compared by pydicom, a second parser, as numpy arrays), code 113101 is recorded,
 * and the files that need cleaning but cannot be cleaned are refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../../src/activities/deidentify-file';
import { matchingRule, parsePixelCleaningRules, type PixelCleaningRules } from '../../../src/anonymize/profile/pixel-cleaning';
import { parseProfileOptions } from '../../../src/anonymize/profile/profile-options';
import { parseProfileSelection } from '../../../src/anonymize/profile/profile-selection';
import { openDicom } from '../../../src/dicom';
import { buildDicom } from '../../factories/dicom-builder';

const FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const SECRET = 'pixel-secret';
const profile = parseProfileOptions('basic');

/** pydicom's view of the change: per frame and sample, is the rectangle `value` and is everything else equal? */
const COMPARE = `
import json, sys, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
a, b, l, t, r, bt, v = json.loads(sys.stdin.read())
x = pydicom.dcmread(a).pixel_array
y = pydicom.dcmread(b).pixel_array
ds = pydicom.dcmread(a)
frames = int(ds.get('NumberOfFrames', 1) or 1)
spp = int(ds.SamplesPerPixel)
# normalise to (frames, rows, columns, samples)
if frames == 1: x, y = x[None, ...], y[None, ...]
if spp == 1: x, y = x[..., None], y[..., None]
mask = np.zeros(x.shape[1:3], dtype=bool)
mask[t:bt, l:r] = True
inside = bool((y[:, mask, :] == v).all())
outside = bool((y[:, ~mask, :] == x[:, ~mask, :]).all())
changed_before = bool((x[:, mask, :] != v).any())
print(json.dumps({'shape': list(x.shape), 'inside': inside, 'outside': outside, 'hadOtherValues': changed_before}))
`;

function compare(original: string, cleaned: string, rect: [number, number, number, number], value: number) {
  const out = execFileSync('/usr/bin/python3', ['-c', COMPARE], { input: JSON.stringify([original, cleaned, ...rect, value]), encoding: 'utf8' });
  return JSON.parse(out) as { shape: number[]; inside: boolean; outside: boolean; hadOtherValues: boolean };
}

function rules(json: unknown): PixelCleaningRules {
  return parsePixelCleaningRules(JSON.stringify(json));
}

const dir = mkdtempSync(join(tmpdir(), 'clean-pixels-'));

async function clean(name: string, pixelCleaning: PixelCleaningRules, source = join(FILES, name)) {
  const out = join(dir, `out-${name}`);
  const result = await deidentifyFile(source, out, { profile, pixelCleaning, secret: SECRET, vars: {} });
  return { out, result };
}

describe('Clean Pixel Data rules', () => {
  it('When rules test patient data or have empty rectangles, then they are refused with the rule named', () => {
    expect(() => rules({ rules: [{ when: { PatientName: 'X*' }, rectangles: [{ left: 0, top: 0, right: 1, bottom: 1 }] }] })).toThrow(/rule 1\.when\.PatientName is not allowed/);
    expect(() => rules({ rules: [{ name: 'r', rectangles: [{ left: 5, top: 0, right: 5, bottom: 1 }] }] })).toThrow(/left < right/);
    expect(() => rules({ rules: [{ rectangles: [] }] })).toThrow(/at least one rectangle/);
    expect(() => parsePixelCleaningRules('{')).toThrow(/not JSON/);
  });

  it('When several rules match, then the first one applies; patterns are case-insensitive globs', async () => {
    const editor = await openDicom(join(FILES, 'CT_small.dcm'));
    const set = rules({
      rules: [
        { name: 'mr', when: { Modality: 'MR' }, rectangles: [{ left: 0, top: 0, right: 1, bottom: 1 }] },
        { name: 'ge-ct', when: { Modality: 'CT', Manufacturer: 'ge medical*', Rows: '128' }, rectangles: [{ left: 0, top: 0, right: 1, bottom: 1 }] },
        { name: 'any', rectangles: [{ left: 0, top: 0, right: 1, bottom: 1 }] },
      ],
    });
    expect(matchingRule(editor, set)?.name).toBe('ge-ct');
  });

  it('When the profile list names clean-pixel-data, then it is selected beside the table options', () => {
    const s = parseProfileSelection('basic,clean-pixel-data,retain-uids');
    expect(s.cleanPixelData).toBe(true);
    expect([...s.options]).toEqual(['retainUids']);
  });
});

describe('Clean Pixel Data on files', () => {
  it('When a rule matches CT_small (16-bit), then its rectangle is blanked, all other pixels are identical, 113101 is recorded and (0028,0301) is NO', async () => {
    const { out, result } = await clean('CT_small.dcm', rules({ rules: [{ name: 'ge-ct', when: { Manufacturer: 'GE*' }, rectangles: [{ left: 10, top: 5, right: 60, bottom: 20 }], value: 0 }] }));
    expect(result).toMatchObject({ kind: 'written', pixels: { kind: 'cleaned', rule: 'ge-ct', rectangles: 1 } });
    const cmp = compare(join(FILES, 'CT_small.dcm'), out, [10, 5, 60, 20], 0);
    expect(cmp).toEqual({ shape: [1, 128, 128, 1], inside: true, outside: true, hadOtherValues: true });
    const after = await openDicom(out);
    expect(after.getDeidentificationMethodCodes()).toEqual(['113100', '113101']);
    expect(after.getString(0x00280301)).toBe('NO');
  });

  it('When a rule matches a multi-frame 32-bit implicit-VR file (rtdose, 15 frames), then every frame is blanked', async () => {
    const { out } = await clean('rtdose.dcm', rules({ rules: [{ when: { Modality: 'RTDOSE' }, rectangles: [{ left: 2, top: 3, right: 7, bottom: 6 }], value: 7 }] }));
    expect(compare(join(FILES, 'rtdose.dcm'), out, [2, 3, 7, 6], 7)).toEqual({ shape: [15, 10, 10, 1], inside: true, outside: true, hadOtherValues: true });
  });

  it('When a rule matches an RGB file, then every sample of the rectangle is blanked and the rest is identical', async () => {
    const { out } = await clean('SC_rgb_small_odd.dcm', rules({ rules: [{ when: { Modality: 'OT' }, rectangles: [{ left: 1, top: 0, right: 3, bottom: 2 }], value: 255 }] }));
    expect(compare(join(FILES, 'SC_rgb_small_odd.dcm'), out, [1, 0, 3, 2], 255)).toEqual({ shape: [1, 3, 3, 3], inside: true, outside: true, hadOtherValues: true });
  });

  it('When a planar-configuration-1 RGB multi-frame file is cleaned, then every plane of every frame is blanked', async () => {
    const source = join(dir, 'planar1.dcm');
    // Made from the corpus's RGB file by pydicom: two frames, colour-by-plane (PlanarConfiguration 1).
    execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1]); a = ds.pixel_array
frames = np.stack([a, 255 - a])
ds.NumberOfFrames = 2; ds.PlanarConfiguration = 1
ds.PixelData = frames.transpose(0, 3, 1, 2).tobytes()  # 54 bytes: even, no padding
ds.save_as(sys.argv[2])`,
      join(FILES, 'SC_rgb_small_odd.dcm'),
      source,
    ]);
    const { out } = await clean('planar1.dcm', rules({ rules: [{ rectangles: [{ left: 0, top: 1, right: 2, bottom: 3 }], value: 9 }] }), source);
    expect(compare(source, out, [0, 1, 2, 3], 9)).toEqual({ shape: [2, 3, 3, 3], inside: true, outside: true, hadOtherValues: true });
  });

  it('When no rule matches and Burned In Annotation is not YES, then the pixels are untouched and 113101 is still recorded', async () => {
    const { out, result } = await clean('MR_small.dcm', rules({ rules: [{ when: { Modality: 'US' }, rectangles: [{ left: 0, top: 0, right: 5, bottom: 5 }] }] }));
    expect(result).toMatchObject({ kind: 'written', pixels: { kind: 'no-rule' } });
    expect(compare(join(FILES, 'MR_small.dcm'), out, [0, 0, 0, 0], 0)).toMatchObject({ outside: true });
    expect((await openDicom(out)).getDeidentificationMethodCodes()).toContain('113101');
  });

  it('When a rule matches compressed pixel data, then the file is refused with the reason and nothing is written', async () => {
    const out = join(dir, 'refused-j2k.dcm');
    const set = rules({ rules: [{ name: 'nm', when: { Modality: 'NM' }, rectangles: [{ left: 0, top: 0, right: 10, bottom: 10 }] }] });
    await expect(deidentifyFile(join(FILES, 'JPEG2000.dcm'), out, { profile, pixelCleaning: set, secret: SECRET, vars: {} })).rejects.toMatchObject({
      name: 'ProfileError',
      code: 'PIXEL_DATA_NOT_CLEANABLE',
      message: expect.stringMatching(/rule "nm" matches but the pixel data is compressed/),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('When Burned In Annotation is YES and no rule matches, then the file is refused; with a matching rule it is cleaned', async () => {
    const source = join(dir, 'burned.dcm');
    writeFileSync(source, buildDicom({ elements: { Modality: 'US', Manufacturer: 'Acme Sonics', BurnedInAnnotation: 'YES' }, rows: 4, columns: 4 }));
    const none = rules({ rules: [{ when: { Manufacturer: 'Other*' }, rectangles: [{ left: 0, top: 0, right: 4, bottom: 1 }] }] });
    const out = join(dir, 'refused-burned.dcm');
    await expect(deidentifyFile(source, out, { profile, pixelCleaning: none, secret: SECRET, vars: {} })).rejects.toMatchObject({ code: 'PIXEL_DATA_NOT_CLEANABLE', message: expect.stringMatching(/Burned In Annotation/) });
    expect(existsSync(out)).toBe(false);
    const acme = rules({ rules: [{ when: { Manufacturer: 'Acme*' }, rectangles: [{ left: 0, top: 0, right: 4, bottom: 1 }] }] });
    const { out: cleaned } = await clean('burned.dcm', acme, source);
    expect(compare(source, cleaned, [0, 0, 4, 1], 0)).toMatchObject({ inside: true, outside: true });
    expect((await openDicom(cleaned)).getString(0x00280301)).toBe('NO');
  });
});
