/**
 * `dicom-intake scripts check|preview`: the server's checker and preview (`POST /api/scripts/check`,
 * `POST /api/scripts/preview`) run on a local file or on the script the server holds. Unlike the offline
 * `dicom-intake script check|preview`, the server knows the stored lookup tables, so a check warns about a
 * lookup[] table that the pass would not find and a preview reads the tables the pass would. Nothing is written.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { apiJson, report, type ApiTarget } from './api-request';
import { checkText, parseVarPairs, previewText, type CheckReport, type PreviewReport } from './script-report';

/** Which stored script: the site's or one project's, with the XNAT path that holds its text. */
export interface ScriptScopeArgs {
  site: boolean;
  project?: string;
  scriptPath: string;
}

type Answer = Awaited<ReturnType<typeof apiJson>>;
const ok = (r: Answer) => r.status >= 200 && r.status < 300;

function scopeName(scope: ScriptScopeArgs): string {
  return scope.site ? 'site script' : `project ${scope.project} script`;
}

/** A local file's text, or undefined after saying on stderr what to fix. */
function readLocal(command: string, path: string, what: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    process.stderr.write(`dicom-intake ${command}: cannot read the ${what} ${path}; check the path\n`);
    return undefined;
  }
}

/**
 * The script to run: FILE when given, else the text the server holds. Otherwise the exit code, after the reason
 * was printed (an unreadable FILE is a usage error; the server's refusal, e.g. 404 when none is set, is reported).
 */
async function scriptText(target: ApiTarget, scope: ScriptScopeArgs, command: string, file: string | undefined, json: boolean): Promise<{ name: string; text: string } | { exit: number }> {
  if (file !== undefined) {
    const text = readLocal(command, file, 'script');
    return text === undefined ? { exit: 2 } : { name: file, text: text.toString('utf8') };
  }
  const stored = await apiJson(target, 'GET', scope.scriptPath);
  if (!ok(stored)) return { exit: report(command, stored, json, () => '') };
  return { name: scopeName(scope), text: String(stored.body.text ?? '') };
}

/** `scripts check (--site | --project P) [FILE]`: exit 0 accepted (warnings allowed), 1 errors or refused, 2 usage. */
export async function checkOnServer(target: ApiTarget, scope: ScriptScopeArgs, file: string | undefined, json: boolean): Promise<number> {
  const script = await scriptText(target, scope, 'scripts check', file, json);
  if ('exit' in script) return script.exit;
  const q = scope.site ? 'site=true' : `project=${encodeURIComponent(scope.project!)}`;
  const r = await apiJson(target, 'POST', `/api/scripts/check?${q}`, script.text);
  if (!ok(r)) return report('scripts check', r, json, () => '');
  const result = r.body as unknown as CheckReport;
  if (json) process.stdout.write(JSON.stringify({ ok: result.ok, status: r.status, script: script.name, version: result.version ?? null, diagnostics: result.diagnostics }) + '\n');
  else process.stdout.write(checkText(script.name, result));
  return result.ok ? 0 : 1;
}

/**
 * `scripts preview (--site | --project P) DICOM [--script FILE] [--var k=v]...`: the per-tag diff of one local file.
 * --project P is the script's `project` variable unless --var project=… says otherwise.
 */
export async function previewOnServer(target: ApiTarget, scope: ScriptScopeArgs, dicomPath: string, file: string | undefined, varPairs: readonly string[], json: boolean): Promise<number> {
  const vars = parseVarPairs('scripts preview', varPairs);
  if (vars === undefined) return 2;
  const dicom = readLocal('scripts preview', dicomPath, 'DICOM file');
  if (dicom === undefined) return 2;
  const script = await scriptText(target, scope, 'scripts preview', file, json);
  if ('exit' in script) return script.exit;
  const form = new FormData();
  form.set('script', script.text);
  form.set('file', new Blob([dicom]), basename(dicomPath));
  if (scope.project !== undefined) form.set('project', scope.project);
  for (const [name, value] of Object.entries(vars)) form.set(`var.${name}`, value);
  const r = await apiJson(target, 'POST', '/api/scripts/preview', form);
  return report('scripts preview', r, json, (b) => previewText(dicomPath, b as unknown as PreviewReport));
}
