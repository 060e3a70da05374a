/**
 * dcmjs's data dictionary, read through its public tables. Only the generator of dictionary.generated.ts and the
 * test that proves the generated table equal to it use this module: loading dcmjs takes about 0.1 s, which the
 * CLI would otherwise pay at every start for a table that changes only with a dcmjs upgrade.
 */

/** A dictionary entry as dcmjs gives it (VR in lower case when context-dependent, 'na' for none). */
export interface DcmjsEntry {
  readonly tag: string;
  readonly vr: string;
  readonly name: string;
}
interface DcmjsDictionaryModule {
  readonly data: {
    readonly DicomMetaDictionary: {
      readonly dictionary: Readonly<Record<string, DcmjsEntry | undefined>>;
      readonly nameMap: Readonly<Record<string, DcmjsEntry | undefined>>;
    };
  };
}

// dcmjs ships no type declarations; we type the two tables we read and nothing else.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as DcmjsDictionaryModule;

/** dcmjs's entry for a "(GGGG,EEEE)" key (exact tags, then its repeating-group ranges); undefined when unknown. */
export function dcmjsEntry(key: string): DcmjsEntry | undefined {
  return dcmjs.data.DicomMetaDictionary.dictionary[key];
}

/** dcmjs's keyword → entry map. */
export function dcmjsNameMap(): Readonly<Record<string, DcmjsEntry | undefined>> {
  return dcmjs.data.DicomMetaDictionary.nameMap;
}
