/**
 * The options of the PS3.15 Annex E profile (E.3), how they are spelled on the command line, and the CID 7050
 * codes that record them in Deidentification Method Code Sequence (0012,0064).
 */
import { assertNever } from '../../domain/assert-never';
import { OPTION_COLUMNS, type OptionColumn } from './table-types';
import { ProfileError } from './profile-errors';

/** The options selected for one run; the Basic Profile itself is always applied. */
export type ProfileOptions = ReadonlySet<OptionColumn>;

/** Command-line spellings of the options, in the order of Table E.1-1's columns. */
export const OPTION_FLAGS: Readonly<Record<OptionColumn, string>> = {
  retainSafePrivate: 'retain-safe-private',
  retainUids: 'retain-uids',
  retainDeviceIdentity: 'retain-device-identity',
  retainInstitutionIdentity: 'retain-institution-identity',
  retainPatientCharacteristics: 'retain-patient-characteristics',
  retainLongitudinalFullDates: 'retain-long-full-dates',
  retainLongitudinalModifiedDates: 'retain-long-modified-dates',
  cleanDescriptors: 'clean-descriptors',
  cleanStructuredContent: 'clean-structured-content',
  cleanGraphics: 'clean-graphics',
};

/** A code of CID 7050 "De-identification Method" (coding scheme DCM). */
export interface MethodCode {
  readonly codeValue: string;
  readonly codeMeaning: string;
}

/** The CID 7050 code of the Basic Application Confidentiality Profile. */
export const BASIC_PROFILE_CODE: MethodCode = { codeValue: '113100', codeMeaning: 'Basic Application Confidentiality Profile' };

/** The CID 7050 code that records one option (PS3.16 CID 7050; 113101 and 113102 are pixel options we do not offer). */
export function optionCode(option: OptionColumn): MethodCode {
  switch (option) {
    case 'cleanGraphics':
      return { codeValue: '113103', codeMeaning: 'Clean Graphics Option' };
    case 'cleanStructuredContent':
      return { codeValue: '113104', codeMeaning: 'Clean Structured Content Option' };
    case 'cleanDescriptors':
      return { codeValue: '113105', codeMeaning: 'Clean Descriptors Option' };
    case 'retainLongitudinalFullDates':
      return { codeValue: '113106', codeMeaning: 'Retain Longitudinal Temporal Information Full Dates Option' };
    case 'retainLongitudinalModifiedDates':
      return { codeValue: '113107', codeMeaning: 'Retain Longitudinal Temporal Information Modified Dates Option' };
    case 'retainPatientCharacteristics':
      return { codeValue: '113108', codeMeaning: 'Retain Patient Characteristics Option' };
    case 'retainDeviceIdentity':
      return { codeValue: '113109', codeMeaning: 'Retain Device Identity Option' };
    case 'retainUids':
      return { codeValue: '113110', codeMeaning: 'Retain UIDs Option' };
    case 'retainSafePrivate':
      return { codeValue: '113111', codeMeaning: 'Retain Safe Private Option' };
    case 'retainInstitutionIdentity':
      return { codeValue: '113112', codeMeaning: 'Retain Institution Identity Option' };
    default:
      return assertNever(option);
  }
}

/** The value of Longitudinal Temporal Information Modified (0028,0303) for these options (E.2, E.3.6). */
export function longitudinalTemporalValue(options: ProfileOptions): 'REMOVED' | 'UNMODIFIED' | 'MODIFIED' {
  if (options.has('retainLongitudinalFullDates')) return 'UNMODIFIED';
  if (options.has('retainLongitudinalModifiedDates')) return 'MODIFIED';
  return 'REMOVED';
}

/**
 * Parses "basic[,option,...]" (e.g. "basic,retain-uids,clean-descriptors"). Refuses unknown names, a list that
 * does not start with "basic" (the options only modify the Basic Profile), and both date options together (E.3.6).
 */
export function parseProfileOptions(text: string): ProfileOptions {
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names[0] !== 'basic') {
    throw new ProfileError('BAD_OPTIONS', `the profile list must start with "basic" (got ${JSON.stringify(names[0] ?? '')}); options modify the Basic Profile`);
  }
  const byFlag = new Map(OPTION_COLUMNS.map((c) => [OPTION_FLAGS[c.option], c.option] as const));
  const selected = new Set<OptionColumn>();
  for (const name of names.slice(1)) {
    const option = byFlag.get(name);
    if (option === undefined) {
      throw new ProfileError('BAD_OPTIONS', `unknown profile option ${JSON.stringify(name)}; known options: ${Object.values(OPTION_FLAGS).join(', ')}`);
    }
    selected.add(option);
  }
  return validateOptions(selected);
}

/** Checks a set of options; the two Retain Longitudinal options are mutually exclusive (E.3.6). */
export function validateOptions(options: ProfileOptions): ProfileOptions {
  if (options.has('retainLongitudinalFullDates') && options.has('retainLongitudinalModifiedDates')) {
    throw new ProfileError('BAD_OPTIONS', 'retain-long-full-dates and retain-long-modified-dates exclude each other (PS3.15 E.3.6); choose one');
  }
  return options;
}

/** The command-line spelling of a set of options, "basic" first, in table order (for reports and (0012,0063)). */
export function formatProfileOptions(options: ProfileOptions): string {
  return ['basic', ...OPTION_COLUMNS.filter((c) => options.has(c.option)).map((c) => OPTION_FLAGS[c.option])].join(',');
}
