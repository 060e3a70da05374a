import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyScript, compileScript, type CompiledScript, type LookupTables } from '../anonymize';
import type { StoredScript } from '../db/scripts-repo';
import { openDicom, writeEditedFile, type FileOpener } from '../dicom';

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
  const program = compileStored(script);
  // `open` reads an encrypted staging file (storage/staging-cipher.ts); the output is written in plaintext.
  const editor = await openDicom(inPath, options.open ? { open: options.open } : undefined);
  const codes = editor.getDeidentificationMethodCodes();
  // A metadata edit re-runs the script on purpose (`rerun`): XNAT appends another item, [site, project, project].
  if (!options.rerun && codes.length && codes[codes.length - 1] === String(script.id)) return { kind: 'already-applied' };
  const result = applyScript(program, editor, { project: ctx.project, subject: ctx.subject, session: ctx.session }, { lookupTables: options.lookupTables });
  if (result.rejected) return { kind: 'rejected' };
  editor.appendDeidentificationMethodCode(deidentificationItem(script.id));
  await mkdir(dirname(outPath), { recursive: true });
  const written = await writeEditedFile(editor, outPath);
  return { kind: 'written', ...written };
}
