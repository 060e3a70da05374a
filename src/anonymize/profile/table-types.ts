/**
 * The shape of the generated PS3.15 Table E.1-1 (`ps3.15-2025b.generated.ts`): one row per attribute, with the
 * Basic Profile action and the actions of the option columns that change it.
 */

/** Action codes of the Basic Profile column (PS3.15 E.1.1), compound codes included. */
export const BASIC_ACTIONS = ['D', 'Z', 'X', 'K', 'C', 'U', 'Z/D', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*'] as const;
/** One Basic Profile action code. */
export type BasicAction = (typeof BASIC_ACTIONS)[number];

/** Action codes an option column may hold (the 2025b table uses only K and C there). */
export const OPTION_ACTIONS = ['K', 'C'] as const;
/** One option column action code. */
export type OptionAction = (typeof OPTION_ACTIONS)[number];

/**
 * The option columns of Table E.1-1, in the table's order. The same names are the keys of ProfileOptions.
 * `json` is the key of the column in the innolitics-format JSON the generator reads.
 */
export const OPTION_COLUMNS = [
  { option: 'retainSafePrivate', json: 'rtnSafePrivOpt' },
  { option: 'retainUids', json: 'rtnUIDsOpt' },
  { option: 'retainDeviceIdentity', json: 'rtnDevIdOpt' },
  { option: 'retainInstitutionIdentity', json: 'rtnInstIdOpt' },
  { option: 'retainPatientCharacteristics', json: 'rtnPatCharsOpt' },
  { option: 'retainLongitudinalFullDates', json: 'rtnLongFullDatesOpt' },
  { option: 'retainLongitudinalModifiedDates', json: 'rtnLongModifDatesOpt' },
  { option: 'cleanDescriptors', json: 'cleanDescOpt' },
  { option: 'cleanStructuredContent', json: 'cleanStructContOpt' },
  { option: 'cleanGraphics', json: 'cleanGraphOpt' },
] as const;

/** The name of one option column (and of one profile option). */
export type OptionColumn = (typeof OPTION_COLUMNS)[number]['option'];

/** One row of Table E.1-1. */
export interface ProfileTableRow {
  /**
   * "(GGGG,EEEE)" in upper-case hex; a repeating-group mask writes its free digits as "x", e.g. "(60xx,3000)";
   * the private-attributes row ("(GGGG,EEEE) where GGGG is odd") is "(gggg,eeee)".
   */
  readonly tag: string;
  /** The attribute name as the standard writes it (whitespace and note references normalised). */
  readonly name: string;
  /** The "In Std. Comp. IOD" column: true when the attribute is used in a standard composite IOD. */
  readonly inStdCompIod: boolean;
  /** The Basic Profile action. */
  readonly basic: BasicAction;
  /** Option columns that name an action for this row. */
  readonly options: Readonly<Partial<Record<OptionColumn, OptionAction>>>;
}

/** The tag text of the private-attributes row. */
export const PRIVATE_ROW_TAG = '(gggg,eeee)';
