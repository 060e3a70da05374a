/**
 * De-identifies one DICOM file: the PS3.15 profile (when asked), then the DicomEdit script (when given), then an
 * atomic write. The profile runs first so that the script sees, and may set, the final values (a site script that
 * writes the subject label into Patient ID must not have it blanked afterwards); the script is the site's
 * deliberate last word, and `verify` reports it if that word reintroduces an identifying value.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyScript, type CompiledScript } from '../anonymize';
import { applyProfile, type ProfileReport } from '../anonymize/profile/apply-profile';
import { envelope, type CmsRecipient } from '../anonymize/profile/cms-enveloped-data';
import { cleanPixelData, CLEAN_PIXEL_DATA_CODE, type PixelCleaningOutcome, type PixelCleaningRules } from '../anonymize/profile/pixel-cleaning';
import type { ProfileOptions } from '../anonymize/profile/profile-options';
import type { ProjectSecret } from '../anonymize/uid-remap';
import { isDicomdir, lookupTag, openDicom, writeEditedFile, type DicomEditor, type InputConversion } from '../dicom';
import { modifiedAttributesDataset, modifiedOriginals, snapshotOriginals } from '../dicom/encrypted-attributes';

/** What to apply to each file. */
export interface DeidentifyRequest {
  /** The profile options; undefined = no profile. */
  readonly profile?: ProfileOptions;
  /** A compiled DicomEdit 6 script; undefined = no script. */
  readonly script?: CompiledScript;
  /** Variables the script sees (project, subject, session, ...). */
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** The Clean Pixel Data Option with the site's rules (profile only); undefined = the option is off. */
  readonly pixelCleaning?: PixelCleaningRules;
  /**
   * Encrypted Attributes (profile only): the originals of the attributes the profile changes or removes are
   * encrypted for this recipient into (0400,0500); undefined = none is written.
   */
  readonly encryptTo?: CmsRecipient;
  /** The project secret; required with a profile. */
  readonly secret?: ProjectSecret;
  /** fsync each output before reporting it written (default true; see WriteOptions). */
  readonly durable?: boolean;
  /** Compute the output's SHA-256 (default true; '' in the result when false). */
  readonly hash?: boolean;
}

/** The outcome for one file. */
export type DeidentifyResult =
  | {
      readonly kind: 'written';
      readonly sha256: string;
      readonly size: number;
      readonly report?: ProfileReport;
      readonly pixels?: PixelCleaningOutcome;
      /** Set when the input was converted on read (big endian, deflated, no File Meta): the output's transfer syntax differs. */
      readonly conversion?: InputConversion;
    }
  | { readonly kind: 'rejected' }
  /** A DICOMDIR: never edited (its records hold byte offsets and identifying keys); nothing was written. */
  | { readonly kind: 'dicomdir' };

// Dictionary VRs by tag, looked up once per process: the profile asks for the same few hundred tags in every file.
const dictionaryVrCache = new Map<number, string | undefined>();
function dictionaryVr(tag: number): string | undefined {
  if (!dictionaryVrCache.has(tag)) dictionaryVrCache.set(tag, lookupTag(tag)?.vr);
  return dictionaryVrCache.get(tag);
}

/** The (0012,0064) item that records a script run outside XNAT's script table: its text's SHA-256 prefix. */
function scriptItem(script: CompiledScript) {
  return { codeValue: script.sha256.slice(0, 16), codingSchemeDesignator: 'XNAT', codingSchemeVersion: '1.0', codeMeaning: 'XNAT DicomEdit 6 Script' };
}

/**
 * Writes the originals the profile changed or removed into Encrypted Attributes Sequence (0400,0500). The content
 * key is derived from the project secret and the plaintext, so the same input gives the same bytes (invariant 6).
 */
function encryptOriginals(editor: DicomEditor, originals: ReadonlyMap<number, Buffer>, recipient: CmsRecipient, secret: ProjectSecret): void {
  const changed = modifiedOriginals(originals, editor);
  if (changed.length === 0) return;
  const dataset = modifiedAttributesDataset(changed);
  const seed = createHmac('sha256', secret).update('encrypted-attributes').update(createHash('sha256').update(dataset).digest()).digest();
  editor.appendEncryptedAttributes(envelope(dataset, recipient, seed));
}

/**
 * Reads `inPath`, applies the request and writes `outPath`. Throws (DicomReadError, DicomEditError, ProfileError,
 * ScriptRuntimeError) when the file cannot be de-identified; nothing is written then.
 */
export async function deidentifyFile(inPath: string, outPath: string, request: DeidentifyRequest): Promise<DeidentifyResult> {
  const editor = await openDicom(inPath);
  if (isDicomdir(editor)) return { kind: 'dicomdir' };
  const edited = deidentifyEditor(editor, request);
  if (edited.kind === 'rejected') return edited;
  const options = { durable: request.durable ?? true, hash: request.hash ?? true };
  let written;
  try {
    written = await writeEditedFile(editor, outPath, options);
  } catch (e) {
    // The output folder is created only when it is missing: a batch writes many files into the same few folders,
    // and a mkdir before every file cost more than reading a small one. A failed write leaves nothing behind.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(dirname(outPath), { recursive: true });
    written = await writeEditedFile(editor, outPath, options);
  }
  return { kind: 'written', ...written, report: edited.report, pixels: edited.pixels, ...(editor.index.converted ? { conversion: editor.index.converted.conversion } : {}) };
}

/**
 * Applies the request to an open file, in memory (the caller writes it); throws as {@link deidentifyFile} does.
 * 'rejected' when the script rejected the file, which must then not be written.
 */
export function deidentifyEditor(editor: DicomEditor, request: DeidentifyRequest): { readonly kind: 'edited'; readonly report?: ProfileReport; readonly pixels?: PixelCleaningOutcome } | { readonly kind: 'rejected' } {
  let report: ProfileReport | undefined;
  let pixels: PixelCleaningOutcome | undefined;
  if (request.profile !== undefined) {
    // Before the profile: the rules test device attributes the profile may remove, and the profile refuses a file
    // whose Burned In Annotation is still YES.
    const originals = request.encryptTo === undefined ? undefined : snapshotOriginals(editor);
    if (request.pixelCleaning !== undefined) pixels = cleanPixelData(editor, request.pixelCleaning);
    report = applyProfile(editor, editor, {
      options: request.profile,
      secret: request.secret ?? '',
      dictionaryVr,
      subjectKey: request.vars.subject,
    });
    if (pixels !== undefined) editor.appendDeidentificationMethodCode({ ...CLEAN_PIXEL_DATA_CODE, codingSchemeDesignator: 'DCM' });
    if (originals !== undefined) encryptOriginals(editor, originals, request.encryptTo!, request.secret ?? '');
  }
  if (request.script !== undefined) {
    const result = applyScript(request.script, editor, request.vars);
    if (result.rejected) return { kind: 'rejected' };
    editor.appendDeidentificationMethodCode(scriptItem(request.script));
  }
  return { kind: 'edited', report, pixels };
}
