// Each command is loaded only when it runs: the offline commands (anonymize, verify, script) must not pay for
// loading the Temporal SDK, knex and the HTTP server at every start (seconds per run with tsx).

const USAGE = `dicom-intake: DICOM intake and de-identification on Temporal

Usage:
  dicom-intake start                 start the embedded stack (Temporal dev server + Web UI, worker, HTTP API,
                                     DICOM C-STORE receivers) and load the demo project; Ctrl-C stops it all
  dicom-intake worker                run only a worker against the configured Temporal server
  dicom-intake upload ZIP --project P [--subject S] [--session E] [--overwrite none|append|delete]
                                     [--url http://127.0.0.1:8080] [--json]
                                     send a zip of DICOM files to the archive of project P
  dicom-intake upload PATH --project P [--subject S] [--session E] --anonymize-locally [--json]
                                     run the site and project scripts here, then send only anonymized files
  dicom-intake prearchive ls|show|commit|move|delete|rebuild [ID] [--json]
                                     review prearchive sessions and archive, move, delete or rebuild them
  dicom-intake session relabel|move|reassign PROJECT LABEL VALUE [--subject] [--json]
                                     metadata edits; the project script re-runs with the new labels
  dicom-intake workflows ls [--failed] [--query Q] [--limit N] [--json]
                                     list workflow runs with their search attributes (--failed: failed runs)
  dicom-intake workflows show ID [--json]
                                     one run: status, decoded input and outcome, history event types
  dicom-intake workflows retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json]
                                     retry failed archives and edits once the cause is fixed (site admins;
                                     \`archive retry\` is the same command under its earlier name)
  dicom-intake scripts get|set|enable|disable (--site | --project P) [FILE] [--json]
                                     the site-wide and project scripts held by the server
  dicom-intake scripts check (--site | --project P) [FILE] [--json]
                                     check FILE (else the stored script) with the server's checker, which knows
                                     the stored lookup tables; findings with line and column, exit 1 on errors
  dicom-intake scripts preview (--site | --project P) DICOM [--script FILE] [--var k=v]... [--json]
                                     run the stored script (or FILE) on a local file on the server, in memory;
                                     the per-tag diff, nothing written
  dicom-intake scripts lookup get|set (--site | --project P) [FILE] [--json]
                                     the lookup tables lookup[table, key] reads
  dicom-intake scripts profile get|set (--site | --project P) [--options LIST|none] [--pixel-rules F]
                                     [--encrypt-to F] [--json]
                                     the PS3.15 profile the site or project pass applies before its script
  dicom-intake receivers ls|add|set|rm [ID] [options] [--json]
                                     the C-STORE receivers: list, create, change, remove (applied at once)
  dicom-intake script check SCRIPT [--lookup FILE] [--json]
                                     check a DicomEdit 6 script without running it (offline, no server)
  dicom-intake script preview SCRIPT DICOM [--var name=value]... [--lookup FILE] [--json]
                                     show what the script would change in one file; nothing is written (offline)
  dicom-intake anonymize [--script FILE] [--profile basic[,option,...]] [--var k=v ...] [--secret-file F]
                         [--json] --out DIR INPUT...
                                     de-identify files or folders offline (PS3.15 profile, then the script)
  dicom-intake verify [--json] ORIGINAL ANONYMIZED
                                     check anonymized files for residual identifying values (tag paths only)
  dicom-intake keys ls|rotate [--json]
                                     payload encryption keys: ids in effect; add a new key

Every command takes --help (with examples). --json prints one JSON object on stdout. Exit codes: 0 done, 1 refused
(the reason says what to do), 2 usage error. Commands that call the API sign in with --token TOKEN, else
$DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved in the data folder; --url names the server.
Configuration: temporal-dev.yaml (or DICOM_INTAKE_CONFIG), each key overridable by its environment variable; logs
are JSON lines on stderr (DICOM_INTAKE_LOG_LEVEL). See docs/operations.md, "Command line".

Examples:
  dicom-intake start
  dicom-intake upload study.zip --project DEMO --subject S01 --session S01_MR1
  dicom-intake anonymize --profile basic --secret-file project.key --out anon/ study/
  dicom-intake verify study/ anon/
  dicom-intake workflows ls --query "DicomProject = 'DEMO' AND DicomStatus = 'ERROR'"
  dicom-intake workflows show upload-up_0190f3a2c1_4f9e2b7a1c3d
  dicom-intake workflows retry --all-failed
  dicom-intake scripts check --project DEMO
  dicom-intake scripts preview --project DEMO image.dcm --var subject=S01 --var session=S01_MR1
`;

/** Loads a command module when its command runs (tsx's CommonJS hook resolves require, not import(), of .ts files). */
function load<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}

/** Entry point of the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return load<typeof import('./start-command')>('./start-command').runStart(rest);
    case 'upload':
      return load<typeof import('./upload-command')>('./upload-command').runUpload(rest);
    case 'worker':
      return load<typeof import('./worker-command')>('./worker-command').runWorker(rest);
    case 'prearchive':
      return load<typeof import('./prearchive-command')>('./prearchive-command').runPrearchive(rest);
    case 'session':
      return load<typeof import('./session-command')>('./session-command').runSession(rest);
    case 'archive':
      return load<typeof import('./retry-command')>('./retry-command').runArchive(rest);
    case 'script':
      return load<typeof import('./script-command')>('./script-command').runScript(rest);
    case 'anonymize':
      return load<typeof import('./anonymize-command')>('./anonymize-command').runAnonymize(rest);
    case 'verify':
      return load<typeof import('./verify-command')>('./verify-command').runVerify(rest);
    case 'workflows':
      return load<typeof import('./workflows-command')>('./workflows-command').runWorkflows(rest);
    case 'keys':
      return load<typeof import('./keys-command')>('./keys-command').runKeys(rest);
    case 'scripts':
      return load<typeof import('./scripts-command')>('./scripts-command').runScripts(rest);
    case 'receivers':
      return load<typeof import('./receivers-command')>('./receivers-command').runReceivers(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`dicom-intake: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}
