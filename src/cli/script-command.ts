/**
 * `dicom-intake script check FILE` and `dicom-intake script preview FILE DICOM`: a validator for DicomEdit 6
 * scripts (XNAT has none, §7 "what users ask for") and a dry run that shows, element by element, what a script
 * would change in one file. Nothing is written; the preview shows values because the person asked to see them in
 * their own file, and it never leaves their terminal.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkScript, compileScript, parseLookupTables, ScriptCheckError, ScriptRuntimeError, ScriptSyntaxError, type LookupTables } from '../anonymize';
import { previewScript } from '../anonymize/script-preview';
import { lookupTableDiagnostics } from '../anonymize/lookup-layers';
import { DicomEditError, DicomReadError, openDicom } from '../dicom';
import { checkText, parseVarPairs, previewText } from './script-report';

const HELP = `Usage: dicom-intake script check SCRIPT [--lookup TABLE_FILE] [--json]
       dicom-intake script preview SCRIPT DICOM [--var name=value]... [--lookup TABLE_FILE] [--json]

check    parses and checks a DicomEdit 6 script (version line, syntax, functions, variables, regular
         expressions); prints each finding as SCRIPT:line:column: severity CODE: message.
         With --lookup, warns about lookup["name", ...] tables the file does not hold.
         Exit 0 when the script is accepted (warnings allowed), 1 when it has errors, 2 for usage errors.
preview  applies the script to one DICOM file in memory and lists every element it would change, add or
         delete (at any depth, paths in DicomEdit syntax). Nothing is written. --var sets script variables
         such as project, subject and session; --lookup loads lookup[] tables (lines table/key = value).

Offline: no server, no stored lookup tables. To check or preview against the server (its stored script and
lookup tables): dicom-intake scripts check|preview (--site | --project P) ….

Examples:
  dicom-intake script check site.das
  dicom-intake script preview project.das image.dcm --var project=DEMO --var subject=S01 --var session=S01_MR1
`;

/** `dicom-intake script …`: dispatches to check or preview; resolves to the exit code. */
export async function runScript(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      var: { type: 'string', multiple: true, default: [] },
      lookup: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, scriptPath, dicomPath] = positionals;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (sub === 'check' && scriptPath !== undefined && positionals.length === 2) return check(scriptPath, values.lookup, values.json);
  if (sub === 'preview' && scriptPath !== undefined && dicomPath !== undefined && positionals.length === 3) {
    return preview(scriptPath, dicomPath, values.var, values.lookup, values.json);
  }
  process.stderr.write(`dicom-intake script: expected "check SCRIPT" or "preview SCRIPT DICOM"\n\n${HELP}`);
  return 2;
}

function readText(path: string, what: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    process.stderr.write(`dicom-intake script: cannot read the ${what} ${path}; check the path\n`);
    return undefined;
  }
}

function check(scriptPath: string, lookupPath: string | undefined, json: boolean): number {
  const text = readText(scriptPath, 'script');
  if (text === undefined) return 2;
  let result = checkScript(text);
  if (lookupPath !== undefined) {
    const tables = readText(lookupPath, 'lookup table file');
    if (tables === undefined) return 2;
    let parsed: LookupTables;
    try {
      parsed = parseLookupTables(tables);
    } catch (e) {
      process.stderr.write(`dicom-intake script: the lookup table file ${lookupPath}: ${(e as Error).message}\n`);
      return 2;
    }
    result = { ...result, diagnostics: [...result.diagnostics, ...lookupTableDiagnostics(text, parsed)] };
  }
  if (json) process.stdout.write(JSON.stringify({ ok: result.ok, version: result.version ?? null, diagnostics: result.diagnostics }) + '\n');
  else process.stdout.write(checkText(scriptPath, result));
  return result.ok ? 0 : 1;
}

async function preview(scriptPath: string, dicomPath: string, varPairs: readonly string[], lookupPath: string | undefined, json: boolean): Promise<number> {
  const text = readText(scriptPath, 'script');
  if (text === undefined) return 2;
  const vars = parseVarPairs('script', varPairs);
  if (vars === undefined) return 2;
  let lookupTables: LookupTables | undefined;
  try {
    if (lookupPath !== undefined) {
      const tables = readText(lookupPath, 'lookup table file');
      if (tables === undefined) return 2;
      lookupTables = parseLookupTables(tables);
    }
    const compiled = compileScript(text);
    const editor = await openDicom(dicomPath);
    const result = previewScript(compiled, editor, vars, { lookupTables });
    const changes = result.changes;
    const pixelsAltered = editor.pixelEdits.hasEdits && !result.rejected;
    if (json) {
      process.stdout.write(JSON.stringify({ ok: true, rejected: result.rejected, changes, pixelsAltered, echoes: result.echoes }) + '\n');
      return 0;
    }
    process.stdout.write(previewText(dicomPath, { ...result, pixelsAltered }));
    return 0;
  } catch (e) {
    if (e instanceof ScriptSyntaxError || e instanceof ScriptCheckError) {
      process.stderr.write(`dicom-intake script: ${scriptPath}: ${e.message}; run "dicom-intake script check ${scriptPath}" for every finding\n`);
      return 1;
    }
    if (e instanceof ScriptRuntimeError || e instanceof DicomEditError || e instanceof DicomReadError) {
      process.stderr.write(`dicom-intake script: applying ${scriptPath} to ${dicomPath} failed (${e.name} ${e.code}): ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
