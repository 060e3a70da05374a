/** The table of DicomEdit 6 built-in functions (§1.6), by script name. */
import { CONTROL_FUNCTIONS } from './control';
import { DATE_FUNCTIONS } from './dates';
import { LOOKUP_FUNCTIONS } from './lookup';
import { PENDING_FUNCTIONS } from './pending';
import { PIXEL_FUNCTIONS } from './pixels';
import { PRIVATE_FUNCTIONS } from './private';
import { REGEX_FUNCTIONS } from './regex';
import { STRING_FUNCTIONS } from './strings';
import { TAG_FUNCTIONS } from './tags';
import type { FunctionSpec } from './types';
import { UID_FUNCTIONS } from './uids';
import { VALUE_FUNCTIONS } from './values';

const ALL: readonly FunctionSpec[] = [
  ...STRING_FUNCTIONS,
  ...UID_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...REGEX_FUNCTIONS,
  ...TAG_FUNCTIONS,
  ...CONTROL_FUNCTIONS,
  ...VALUE_FUNCTIONS,
  ...PRIVATE_FUNCTIONS,
  ...PIXEL_FUNCTIONS,
  ...LOOKUP_FUNCTIONS,
  ...PENDING_FUNCTIONS,
];

/** Built-in functions by name; names are case-sensitive as in DicomEdit. */
export const BUILT_IN_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(ALL.map((f) => [f.name, f]));

/** Names of the built-ins the interpreter does not execute yet. */
export const NOT_YET_IMPLEMENTED: readonly string[] = ALL.filter((f) => f.run === undefined).map((f) => f.name);
