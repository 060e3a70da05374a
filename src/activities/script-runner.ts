import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyScript, compileScript, type CompiledScript, type LookupTables } from '../anonymize';
import type { StoredScript } from '../db/scripts-repo';
import { openDicom, writeEditedFile, type DicomEditor, type FileOpener } from '../dicom';
import { deidentifyEditor } from './deidentify-file';
import { profileSettingItem, type PassProfile } from './pass-profile';

/** The XNAT (0012,0064) item that records one script application (reference §1.1). */
export function deidentificationItem(scriptId: number) {
  return {
    codeValue: String(scriptId),
    codingSchemeDesignator: 'XNAT',
    codingSchemeVersion: '1.0',
    codeMeaning: 'XNAT DicomEdit 6 Script',
  };
}

/** The variables a script sees: project, subject and session labels. */
export interface ScriptContext {
  project?: string;
  subject?: string;
  session?: string;
}

/** A PHI-safe digest of the context, part of a pass's exactly-once key (the values themselves are not stored). */
export function contextDigest(ctx: ScriptContext): string {
  return createHash('sha256').update(JSON.stringify([ctx.project ?? null, ctx.subject ?? null, ctx.session ?? null])).digest('hex');
}

const compiled = new Map<string, CompiledScript>();
/** Compiles a stored script once per process (keyed by its sha256). */
export function compileStored(script: StoredScript): CompiledScript {
  let c = compiled.get(script.sha256);
  if (!c) {
    c = compileScript(script.text);
    compiled.set(script.sha256, c);
  }
  return c;
}

/** Outcome of running one script over one file. */
export type ScriptFileResult =
  | { kind: 'written'; sha256: string; size: number }
  | { kind: 'rejected' }
  | { kind: 'already-applied' };

/** What one pass applies: the profile, then the script (docs/profile.md); at least one of them. */
export interface PassSteps {
  readonly profile?: PassProfile;
  readonly script?: StoredScript;
}

/**
 * Failures of a pass that are about the script, the profile or the file, not the machine: retrying cannot fix them,
 * so the archive, edit and site passes turn them into AnonymizationFailedError (ids and positions only).
 */
export const SCRIPT_OR_FILE_ERRORS: ReadonlySet<string> = new Set(['ScriptRuntimeError', 'ScriptSyntaxError', 'ScriptCheckError', 'DicomReadError', 'DicomEditError', 'ProfileError']);

/** The CodeValue of the last (0012,0064) item a pass with these steps writes: the script's, else the profile's. */
function lastItemOf(steps: PassSteps): string {
  return steps.script ? String(steps.script.id) : profileSettingItem(steps.profile!.setting.id).codeValue;
}

/**
 * Runs one script over one DICOM file and writes the result to `outPath` (atomically), appending the
 * (0012,0064) item. A file whose last item already names this script is not touched again (XNAT's
 * needsAnonymization check), so a retried pass, or the upload client run over a file it anonymized before, never
 * appends a second item. The upload client runs this same function on the user's machine. `rerun` (metadata
 * edits) skips that check. `lookupTables` are the tables `lookup[...]` reads (see pass-lookup-tables.ts).
 */
export async function runScriptOnFile(
  script: StoredScript,
  inPath: string,
  outPath: string,
  ctx: ScriptContext,
  options: { rerun?: boolean; open?: FileOpener; lookupTables?: LookupTables } = {},
): Promise<ScriptFileResult> {
  return runPassOnFile({ script }, inPath, outPath, ctx, options);
}

/**
 * Runs a pass's steps over one file, on one editor, with one atomic write: the profile (its CID 7050 items and the
 * item naming the setting, pass-profile.ts), then the script (its XNAT item). The already-applied check looks at
 * the last item the pass would write (the script's, or the profile setting's when there is no script), so a retried
 * pass never applies the profile twice: a second keyed UID remap would change every UID again.
 */
export async function runPassOnFile(
  steps: PassSteps,
  input: string | DicomEditor,
  outPath: string,
  ctx: ScriptContext,
  options: { rerun?: boolean; open?: FileOpener; lookupTables?: LookupTables } = {},
): Promise<ScriptFileResult> {
  // A path is opened here (`open` reads an encrypted staging file, storage/staging-cipher.ts); an editor is a file
  // the caller opened and has not changed. The output is written in plaintext.
  const editor = typeof input === 'string' ? await openDicom(input, options.open ? { open: options.open } : undefined) : input;
  const codes = editor.getDeidentificationMethodCodes();
  // A metadata edit re-runs the script on purpose (`rerun`): XNAT appends another item, [site, project, project].
  if (!options.rerun && codes.length && codes[codes.length - 1] === lastItemOf(steps)) return { kind: 'already-applied' };
  const { profile, script } = steps;
  if (profile) {
    const c = profile.compiled;
    // The per-subject date shift follows the subject label the pass knows (else the source Patient ID).
    deidentifyEditor(editor, { profile: c.options, pixelCleaning: c.pixelCleaning, encryptTo: c.encryptTo, secret: profile.secret, vars: { subject: ctx.subject } });
    editor.appendDeidentificationMethodCode(profileSettingItem(profile.setting.id));
  }
  if (script) {
    const result = applyScript(compileStored(script), editor, { project: ctx.project, subject: ctx.subject, session: ctx.session }, { lookupTables: options.lookupTables });
    if (result.rejected) return { kind: 'rejected' };
    editor.appendDeidentificationMethodCode(deidentificationItem(script.id));
  }
  await mkdir(dirname(outPath), { recursive: true });
  const written = await writeEditedFile(editor, outPath);
  return { kind: 'written', ...written };
}
