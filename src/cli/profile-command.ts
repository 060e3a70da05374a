/**
 * `dicom-intake scripts profile get|set`: the PS3.15 profile the server's site or project pass applies before its
 * script (docs/profile.md, "In the intake passes"). `set` replaces the whole setting; the server validates it.
 */
import { readFileSync } from 'node:fs';
import { apiJson, report, type ApiTarget } from './api-request';

/** Help for `dicom-intake scripts profile`. */
export const PROFILE_HELP = `Usage: dicom-intake scripts profile get|set (--site | --project P) [options] [--json]
  get                  print the profile setting in effect (the recipient's key is never shown)
  set                  replace it (each change is a new version; passes record which version they applied)
Options of set:
  --options LIST       basic[,option,...] (as dicom-intake anonymize --profile), or none
  --pixel-rules F      pixel-cleaning rules (JSON) for the clean-pixel-data option; required with it
  --encrypt-to F       keep the originals of what the profile changes, encrypted for F's recipient (an RSA
                       certificate in PEM, or a line kek:KEYID_HEX:KEY_HEX), in (0400,0500)
set replaces everything: give --pixel-rules and --encrypt-to again to keep them.
The site pass applies the site's profile then the site script; the project pass the project's profile then the
project script. UIDs and dates are remapped with a secret the server keeps per project (and one for the site),
so an upload to a project with a profile cannot be anonymized by the upload client (--anonymize-locally is refused).
Only site admins (--site) and project owners (--project) may get or set it.

Examples:
  dicom-intake scripts profile set --project DEMO --options basic,retain-uids,clean-descriptors
  dicom-intake scripts profile set --site --options basic --encrypt-to recipient.pem
  dicom-intake scripts profile set --project DEMO --options none
  dicom-intake scripts profile get --project DEMO --json
`;

/** What `set` was given. */
export interface ProfileSetOptions {
  options?: string;
  pixelRules?: string;
  encryptTo?: string;
}

const fail = (message: string) => {
  process.stderr.write(`dicom-intake scripts profile: ${message}\n\n${PROFILE_HELP}`);
  return 2;
};

/** The human line for a setting as the API describes it. */
function describe(owner: string, b: Record<string, unknown>): string {
  const options = String(b.options ?? '') || 'none';
  const recipient = b.encryptTo ? `encrypted attributes for a ${String((b.encryptTo as { kind: string }).kind)} recipient` : 'no encrypted attributes';
  return `${owner} profile: ${options} (version ${String(b.version)}; ${b.pixelRules ? 'pixel-cleaning rules set' : 'no pixel-cleaning rules'}; ${recipient})\n`;
}

/** Runs `scripts profile SUB` against `target`; resolves to the exit code. */
export async function runProfile(target: ApiTarget, scope: { site: boolean; project?: string }, sub: string | undefined, set: ProfileSetOptions, json: boolean): Promise<number> {
  const path = scope.site ? '/api/profile/site' : `/api/projects/${encodeURIComponent(scope.project!)}/profile`;
  const owner = scope.site ? 'site' : `project ${scope.project}`;
  switch (sub) {
    case 'get':
      return report('scripts profile get', await apiJson(target, 'GET', path), json, (b) => describe(owner, b));
    case 'set': {
      if (set.options === undefined) return fail('set needs --options LIST (or --options none)');
      const read = (flag: string, file: string | undefined) => {
        if (file === undefined) return null;
        try {
          return readFileSync(file, 'utf8');
        } catch {
          throw new Error(`cannot read ${flag} ${file}; check the path`);
        }
      };
      let body;
      try {
        body = { options: set.options.trim() === 'none' ? '' : set.options, pixelRules: read('--pixel-rules', set.pixelRules), encryptTo: read('--encrypt-to', set.encryptTo) };
      } catch (err) {
        return fail((err as Error).message);
      }
      return report('scripts profile set', await apiJson(target, 'PUT', path, JSON.stringify(body)), json, (b) => describe(owner, b));
    }
    default:
      return fail('name get or set');
  }
}
