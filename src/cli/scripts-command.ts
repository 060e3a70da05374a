import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';
import { LOOKUP_HELP, runLookup } from './lookup-command';
import { PROFILE_HELP, runProfile } from './profile-command';

const HELP = `Usage: dicom-intake scripts COMMAND (--site | --project P) [options]
  get                  print the script in effect
  set FILE             replace it (refused with line and column if it does not parse; each save is a new version)
  enable | disable     turn the pass on or off (XNAT's site switch or project status)
  lookup get|set [F]   the lookup tables lookup[table, key] reads (see dicom-intake scripts lookup --help)
  profile get|set      the PS3.15 profile the pass applies before the script (dicom-intake scripts profile --help)
Options: --json, --url URL, --token TOKEN (else $DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved)
To check or preview a script without a server: dicom-intake script check|preview.

Examples:
  dicom-intake scripts get --site
  dicom-intake scripts set --project DEMO project.das
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
  switch (command) {
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
