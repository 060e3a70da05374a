/**
 * The Clean Pixel Data Option (PS3.15 E.3.1, CID 7050 code 113101): identification burned into the pixels is
 * blanked by rules the site writes, in the manner of CTP's pixel anonymizer (device signatures and regions), with
 * our own small format:
 *
 * ```json
 * { "rules": [
 *   { "name": "Acme US header band",
 *     "when": { "Modality": "US", "Manufacturer": "Acme*", "Rows": "480" },
 *     "rectangles": [ { "left": 0, "top": 0, "right": 640, "bottom": 40 } ],
 *     "value": 0 } ] }
 * ```
 *
 * `when` tests header values that are not patient data (the keys of {@link CONDITION_KEYS}): each is a
 * case-insensitive pattern where `*` matches any run of characters and `?` one character; every key given must
 * match; a rule with no `when` matches every image. Rectangles are columns [left, right) × rows [top, bottom) of
 * every frame, clamped to the image; `value` (default 0) fills every sample. The first matching rule applies.
 *
 * Refusals (never a pass-through): a rule matches but the pixel data is compressed (or its geometry is missing),
 * or Burned In Annotation (0028,0301) is YES and no rule matches. After a rule was applied (0028,0301) says NO.
 */
import type { EditableDataset } from '../dataset';
import { ProfileError } from './profile-errors';

/** The header values a rule may test, by keyword, with their tags. None of them identifies the patient. */
export const CONDITION_KEYS = {
  Modality: 0x00080060,
  Manufacturer: 0x00080070,
  ManufacturerModelName: 0x00081090,
  SOPClassUID: 0x00080016,
  Rows: 0x00280010,
  Columns: 0x00280011,
  ImageType: 0x00080008,
  SoftwareVersions: 0x00181020,
} as const;
/** A keyword a rule may test. */
export type ConditionKey = keyof typeof CONDITION_KEYS;

/** A rectangle to blank: columns [left, right) × rows [top, bottom). */
export interface CleaningRectangle {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** One rule: when the header matches, blank these rectangles. */
export interface PixelCleaningRule {
  readonly name: string;
  readonly when: Readonly<Partial<Record<ConditionKey, string>>>;
  readonly rectangles: readonly CleaningRectangle[];
  readonly value: number;
}

/** A site's or project's rule set, in order. */
export interface PixelCleaningRules {
  readonly rules: readonly PixelCleaningRule[];
}

/** What cleaning one instance did. */
export type PixelCleaningOutcome =
  | { readonly kind: 'cleaned'; readonly rule: string; readonly rectangles: number }
  | { readonly kind: 'no-rule' }
  | { readonly kind: 'no-pixel-data' };

/** What the option needs of a dataset. */
export type PixelCleaningTarget = Pick<EditableDataset, 'getStringAt' | 'setStringAt' | 'hasAt' | 'pixelGeometry' | 'fillPixelRectangle'>;

const PIXEL_DATA = 0x7fe00010;
const BURNED_IN_ANNOTATION = 0x00280301;

function bad(message: string): ProfileError {
  return new ProfileError('BAD_PIXEL_RULES', `pixel-cleaning rules: ${message}`);
}

function wholeNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${what} must be a whole number`);
  return v;
}

function parseRectangle(raw: unknown, where: string): CleaningRectangle {
  if (typeof raw !== 'object' || raw === null) throw bad(`${where} must be an object with left, top, right, bottom`);
  const r = raw as Record<string, unknown>;
  const [left, top, right, bottom] = (['left', 'top', 'right', 'bottom'] as const).map((k) => wholeNumber(r[k], `${where}.${k}`)) as [number, number, number, number];
  if (left < 0 || top < 0 || right <= left || bottom <= top) throw bad(`${where} must have 0 <= left < right and 0 <= top < bottom`);
  return { left, top, right, bottom };
}

function parseRule(raw: unknown, index: number): PixelCleaningRule {
  const where = `rule ${index + 1}`;
  if (typeof raw !== 'object' || raw === null) throw bad(`${where} must be an object`);
  const r = raw as Record<string, unknown>;
  const name = typeof r.name === 'string' && r.name.trim() !== '' ? r.name.trim() : where;
  const when: Partial<Record<ConditionKey, string>> = {};
  if (r.when !== undefined) {
    if (typeof r.when !== 'object' || r.when === null) throw bad(`${where}.when must be an object`);
    for (const [key, value] of Object.entries(r.when)) {
      if (!(key in CONDITION_KEYS)) throw bad(`${where}.when.${key} is not allowed; rules may test only ${Object.keys(CONDITION_KEYS).join(', ')} (never patient data)`);
      if (typeof value !== 'string' && typeof value !== 'number') throw bad(`${where}.when.${key} must be a string pattern`);
      when[key as ConditionKey] = String(value);
    }
  }
  if (!Array.isArray(r.rectangles) || r.rectangles.length === 0) throw bad(`${where}.rectangles must list at least one rectangle`);
  const rectangles = r.rectangles.map((x, k) => parseRectangle(x, `${where}.rectangles[${k}]`));
  const value = r.value === undefined ? 0 : wholeNumber(r.value, `${where}.value`);
  return { name, when, rectangles, value };
}

/** Parses and validates a rule set (JSON text); throws ProfileError BAD_PIXEL_RULES naming the fault. */
export function parsePixelCleaningRules(text: string): PixelCleaningRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw bad('expected {"rules": [...]}');
  return { rules: list.map(parseRule) };
}

// Compiled globs by pattern: the rules are few and tried on every file of every pass.
const globs = new Map<string, RegExp>();

/** A case-insensitive whole-value glob (`*`, `?`). */
function globMatches(pattern: string, value: string): boolean {
  let re = globs.get(pattern);
  if (re === undefined) {
    const source = pattern
      .trim()
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`, 'is');
    globs.set(pattern, re);
  }
  return re.test(value.trim());
}

/** The first rule whose conditions all match the instance's header; undefined when none does. */
export function matchingRule(ds: Pick<EditableDataset, 'getStringAt'>, rules: PixelCleaningRules): PixelCleaningRule | undefined {
  return rules.rules.find((rule) =>
    Object.entries(rule.when).every(([key, pattern]) => {
      const value = ds.getStringAt([], CONDITION_KEYS[key as ConditionKey]);
      return value !== undefined && globMatches(pattern, value);
    }),
  );
}

/**
 * Applies the first matching rule to the instance's native pixel data (every frame and sample), or refuses it
 * (ProfileError PIXEL_DATA_NOT_CLEANABLE) when it needs cleaning and cannot be cleaned losslessly.
 */
export function cleanPixelData(ds: PixelCleaningTarget, rules: PixelCleaningRules): PixelCleaningOutcome {
  if (!ds.hasAt([], PIXEL_DATA)) return { kind: 'no-pixel-data' };
  const rule = matchingRule(ds, rules);
  if (rule === undefined) {
    if (ds.getStringAt([], BURNED_IN_ANNOTATION)?.trim().toUpperCase() === 'YES') {
      throw new ProfileError(
        'PIXEL_DATA_NOT_CLEANABLE',
        'Burned In Annotation (0028,0301) is YES and no pixel-cleaning rule matches this device (Modality, Manufacturer, model, size); add a rule with the text regions for it, then send the file again',
      );
    }
    return { kind: 'no-rule' };
  }
  if (ds.pixelGeometry() === undefined) {
    throw new ProfileError(
      'PIXEL_DATA_NOT_CLEANABLE',
      `pixel-cleaning rule "${rule.name}" matches but the pixel data is compressed (encapsulated) or its geometry is missing, so it cannot be blanked losslessly; decompress the file to Explicit VR Little Endian and send it again`,
    );
  }
  for (const rect of rule.rectangles) ds.fillPixelRectangle(rect, rule.value);
  ds.setStringAt([], BURNED_IN_ANNOTATION, 'NO');
  return { kind: 'cleaned', rule: rule.name, rectangles: rule.rectangles.length };
}

/** The CID 7050 code that records the option. */
export const CLEAN_PIXEL_DATA_CODE = { codeValue: '113101', codeMeaning: 'Clean Pixel Data Option' } as const;
