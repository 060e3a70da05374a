import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';
import { LOOKUP_HELP, runLookup } from './lookup-command';
import { checkOnServer, previewOnServer } from './scripts-dry-run';
import { PROFILE_HELP, runProfile } from './profile-command';

const HELP = `Usage: dicom-intake scripts COMMAND (--site | --project P) [options]
  get                  print the script in effect
  set FILE             replace it (refused with line and column if it does not parse; each save is a new version)
  check [FILE]         check FILE, or without FILE the stored script, with the server's checker: each finding as
                       NAME:line:column: severity CODE: message; also warns about lookup[] tables the server does
                       not hold for the site (or the site and project P). Exit 0 accepted, 1 errors.
  preview DICOM [--script FILE] [--var name=value]...
                       run the stored script (or FILE) on one local DICOM file on the server, in memory, and list
                       every element it would change, add or delete, with the stored lookup tables; nothing is
                       written. --project P sets the variable project; --var sets subject, session or any other.
  enable | disable     turn the pass on or off (XNAT's site switch or project status)
  lookup get|set [F]   the lookup tables lookup[table, key] reads (see dicom-intake scripts lookup --help)
  profile get|set      the PS3.15 profile the pass applies before the script (dicom-intake scripts profile --help)
Options: --json, --url URL, --token TOKEN (else $DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved)
Who may: get, check and preview need a sign-in (--project: any role on P); set, enable, disable need the owner
role on P, or a site administrator for --site.
Offline, without a server (no stored lookup tables): dicom-intake script check|preview.

Examples:
  dicom-intake scripts get --site
  dicom-intake scripts set --project DEMO project.das
  dicom-intake scripts check --project DEMO
  dicom-intake scripts check --site site.das --json
  dicom-intake scripts preview --project DEMO image.dcm --var subject=S01 --var session=S01_MR1
  dicom-intake scripts preview --site image.dcm --script new-site.das --json
  dicom-intake scripts disable --project DEMO --json
  dicom-intake scripts lookup set --project DEMO pid.txt
  dicom-intake scripts profile set --project DEMO --options basic,retain-uids
`;

/** `dicom-intake scripts`: the site-wide and project scripts held by the server, through XNAT's endpoints. */
export async function runScripts(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      site: { type: 'boolean', default: false },
      project: { type: 'string' },
      script: { type: 'string' },
      var: { type: 'string', multiple: true, default: [] },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      options: { type: 'string' },
      'pixel-rules': { type: 'string' },
      'encrypt-to': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help) {
    process.stdout.write(command === 'lookup' ? LOOKUP_HELP : command === 'profile' ? PROFILE_HELP : HELP);
    return 0;
  }
  if (!command || values.site === Boolean(values.project)) {
    process.stderr.write(`dicom-intake scripts: name a command and exactly one of --site or --project P\n\n${HELP}`);
    return 2;
  }
  const target = apiTarget(values.url, values.token);
  const p = values.project ? encodeURIComponent(values.project) : '';
  const scriptPath = values.site ? '/xapi/anonymize/site' : `/data/config/edit/projects/${p}/image/dicom/script`;
  const name = `scripts ${command}`;
  const scope = { site: values.site, project: values.project, scriptPath };
  switch (command) {
    case 'check':
      return checkOnServer(target, scope, file, values.json);
    case 'preview':
      if (!file) {
        process.stderr.write(`dicom-intake scripts preview: name the DICOM file to preview on\n\n${HELP}`);
        return 2;
      }
      return previewOnServer(target, scope, file, values.script, values.var, values.json);
    case 'profile':
      return runProfile(target, { site: values.site, project: values.project }, positionals[1], { options: values.options, pixelRules: values['pixel-rules'], encryptTo: values['encrypt-to'] }, values.json);
    case 'lookup':
      return runLookup(target, { site: values.site, project: values.project }, positionals[1], positionals[2], values.json);
    case 'get':
      return report(name, await apiJson(target, 'GET', scriptPath), values.json, (b) => String(b.text ?? ''));
    case 'set': {
      if (!file) {
        process.stderr.write(`dicom-intake scripts set: name the script FILE\n\n${HELP}`);
        return 2;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        process.stderr.write(`dicom-intake scripts set: cannot read ${file}; check the path\n`);
        return 2;
      }
      return report(name, await apiJson(target, 'PUT', scriptPath, text), values.json, (b) => `saved as script ${String(b.id)}, version ${String(b.version)}\n`);
    }
    case 'enable':
    case 'disable': {
      const on = command === 'enable';
      const r = values.site
        ? await apiJson(target, 'PUT', '/xapi/anonymize/site/enabled', String(on))
        : await apiJson(target, 'PUT', `/data/config/edit/projects/${p}/image/dicom/status?activate=${on}`);
      return report(name, r, values.json, () => `${values.site ? 'site' : `project ${values.project}`} script ${on ? 'enabled' : 'disabled'}\n`);
    }
    default:
      process.stderr.write(`dicom-intake scripts: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}
