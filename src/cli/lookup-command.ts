/**
 * `dicom-intake scripts lookup get|set`: the DicomEdit lookup tables (`lookup[table, key]`) held by the server for
 * the site or a project. The file is sent as it is; the server refuses a malformed one naming the line.
 */
import { readFileSync } from 'node:fs';
import { apiJson, report, type ApiTarget } from './api-request';

/** Help for `dicom-intake scripts lookup`. */
export const LOOKUP_HELP = `Usage: dicom-intake scripts lookup get|set (--site | --project P) [FILE] [--json]
  get          print the lookup tables in effect for the site or the project (text of table/key = value lines)
  set FILE     replace them (each save is a new version; passes record which version they read)
A script reads them with lookup["table", key]; the project pass sees the site's tables with the project's on top
(a project table replaces the site table of the same name). An unknown key gives null (see docs/dicomedit.md).
The tables map identifiers to codes: keep the file as safe as the data. Only site admins (--site) and project
owners (--project) may get or set them.

Example (pid.txt holds lines such as "pid/PAT-0001 = SUBJ-001"):
  dicom-intake scripts lookup set --project DEMO pid.txt
  dicom-intake scripts lookup get --project DEMO --json
`;

/** Runs `scripts lookup SUB [FILE]` against `target`; resolves to the exit code. */
export async function runLookup(target: ApiTarget, scope: { site: boolean; project?: string }, sub: string | undefined, file: string | undefined, json: boolean): Promise<number> {
  const path = scope.site ? '/api/lookup-tables/site' : `/api/projects/${encodeURIComponent(scope.project!)}/lookup-tables`;
  const owner = scope.site ? 'site' : `project ${scope.project}`;
  switch (sub) {
    case 'get':
      return report('scripts lookup get', await apiJson(target, 'GET', path), json, (b) => String(b.text ?? ''));
    case 'set': {
      if (!file) {
        process.stderr.write(`dicom-intake scripts lookup set: name the table FILE\n\n${LOOKUP_HELP}`);
        return 2;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        process.stderr.write(`dicom-intake scripts lookup set: cannot read ${file}; check the path\n`);
        return 2;
      }
      const r = await apiJson(target, 'PUT', path, text);
      return report('scripts lookup set', r, json, (b) => `${owner} lookup tables saved as version ${String(b.version)} (${String(b.entries)} entries)\n`);
    }
    default:
      process.stderr.write(`dicom-intake scripts lookup: name get or set\n\n${LOOKUP_HELP}`);
      return 2;
  }
}
