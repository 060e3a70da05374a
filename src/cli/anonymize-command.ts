/**
 * `dicom-intake anonymize`: de-identifies files offline with the PS3.15 profile and/or a DicomEdit 6 script.
 * Refused files are never written; each refusal is reported with the file and the reason (never header values).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileScript, type CompiledScript } from '../anonymize';
import { formatProfileOptions, parseProfileOptions, type ProfileOptions } from '../anonymize/profile/profile-options';
import { deidentifyEditor, deidentifyFile, type DeidentifyRequest } from '../activities/deidentify-file';
import { editedFileParts, openDicomBytes } from '../dicom';
import { readWholeFileSync, writeFileAtomicSync } from './sync-file-io';
import { expandInputs, type InputFile } from './input-files';

const HELP = `Usage: dicom-intake anonymize [--script FILE] [--profile basic[,option,...]] [--var k=v ...]
                               [--secret-file F] [--json] --out DIR INPUT...
De-identifies DICOM files (INPUT: files or folders, read recursively) into DIR, keeping paths below each folder.
The PS3.15 profile runs first, then the DicomEdit 6 script (see docs/profile.md for why).

  --profile LIST     PS3.15 Annex E Basic Profile and options, e.g. basic,retain-uids,clean-descriptors.
                     Options: retain-safe-private, retain-uids, retain-device-identity, retain-institution-identity,
                     retain-patient-characteristics, retain-long-full-dates, retain-long-modified-dates,
                     clean-descriptors, clean-structured-content, clean-graphics
  --secret-file F    project secret (first line of F) that keys UID remapping and date shifts; required with --profile
  --script FILE      DicomEdit 6 script
  --var k=v          a script variable (project, subject, session, ...); subject also keys the date shift
  --fsync            make each output durable (fsync file and folder) before counting it written; slower
  --json             print a JSON summary on stdout
Exit status: 0 when every input was written, 1 when some were refused, 2 for a usage error.

Examples:
  dicom-intake anonymize --profile basic --secret-file project.key --out anon/ study/
  dicom-intake anonymize --profile basic,retain-long-modified-dates --secret-file project.key \\
      --script site.das --var project=DEMO --var subject=S01 --var session=S01_MR1 --out anon/ a.dcm b.dcm
`;

const FILES_IN_FLIGHT = 8;
// Files up to this size are read whole and written from memory (sync-file-io.ts); larger ones are streamed.
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;

/** One input's outcome in the summary. */
interface FileOutcome {
  input: string;
  output?: string;
  status: 'written' | 'refused';
  reason?: string;
}

function usage(message: string): number {
  process.stderr.write(`dicom-intake anonymize: ${message}\n\n${HELP}`);
  return 2;
}

/** Parses "k=v" pairs; undefined when one has no "=". */
function parseVars(pairs: readonly string[]): Record<string, string> | undefined {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return undefined;
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return vars;
}

/** `dicom-intake anonymize`; resolves to the exit code. */
export async function runAnonymize(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        script: { type: 'string' },
        profile: { type: 'string' },
        var: { type: 'string', multiple: true, default: [] },
        'secret-file': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        fsync: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.out === undefined) return usage('--out DIR is required');
  if (positionals.length === 0) return usage('give at least one INPUT file or folder');
  if (values.script === undefined && values.profile === undefined) return usage('give --profile, --script or both');
  const vars = parseVars(values.var);
  if (vars === undefined) return usage('each --var must be k=v');

  let profile: ProfileOptions | undefined;
  let script: CompiledScript | undefined;
  let secret: string | undefined;
  try {
    if (values.profile !== undefined) {
      profile = parseProfileOptions(values.profile);
      if (values['secret-file'] === undefined) return usage('--profile needs --secret-file: the project secret keys UID remapping and date shifts');
      secret = (await readFile(values['secret-file'], 'utf8')).split('\n')[0]!.trim();
      if (secret === '') return usage(`the secret file ${values['secret-file']} is empty; put the project secret on its first line`);
    }
    if (values.script !== undefined) script = compileScript(await readFile(values.script, 'utf8'));
  } catch (e) {
    return usage((e as Error).message);
  }
  let inputs: InputFile[];
  try {
    inputs = await expandInputs(positionals);
  } catch (e) {
    return usage((e as Error).message);
  }

  const outDir = resolve(values.out);
  // The CLI reports no content hashes, so it does not compute them (most of the cost of copying large files).
  const request = { profile, script, vars, secret, durable: values.fsync, hash: false };
  const taken = new Set<string>();
  const jobs = inputs.map((input) => {
    const output = join(outDir, input.relative);
    // Overwriting an input would destroy the only identified original if anything went wrong later.
    const duplicate = taken.has(output) || output === resolve(input.path);
    taken.add(output);
    return { input, output, duplicate };
  });
  const outcomes: FileOutcome[] = new Array(jobs.length);
  // A few files in flight at once: while one waits for the disk, another is parsed (Node runs one at a time).
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const at = next++;
      const job = jobs[at]!;
      outcomes[at] = job.duplicate
        ? { input: job.input.path, status: 'refused', reason: `${job.output} is an input or another input's output; choose an --out folder apart from the inputs and inputs with distinct names` }
        : await anonymizeOne(job.input.path, job.output, request);
    }
  };
  await Promise.all(Array.from({ length: FILES_IN_FLIGHT }, worker));

  const refused = outcomes.filter((o) => o.status === 'refused');
  for (const o of refused) process.stderr.write(`dicom-intake anonymize: refused ${o.input}: ${o.reason}\n`);
  if (values.json) {
    const summary = { ok: refused.length === 0, profile: profile && formatProfileOptions(profile), written: outcomes.length - refused.length, refused: refused.length, files: outcomes };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(`${outcomes.length - refused.length} written, ${refused.length} refused, into ${outDir}\n`);
  }
  return refused.length === 0 ? 0 : 1;
}

async function anonymizeOne(input: string, output: string, request: DeidentifyRequest): Promise<FileOutcome> {
  try {
    const result = await deidentifyBatchFile(input, output, request);
    if (result === 'rejected') return { input, status: 'refused', reason: 'the script rejected the file (reject[])' };
    return { input, output, status: 'written' };
  } catch (e) {
    const err = e as Error & { code?: string };
    // Reader, editor, profile and script errors name tags and positions, never values (see their modules).
    const code = typeof err.code === 'string' ? ` ${err.code}` : '';
    return { input, status: 'refused', reason: `${err.name}${code}: ${err.message}` };
  }
}

/**
 * One file of the batch. A file of up to {@link WHOLE_FILE_BYTES} is read, edited and written from memory with
 * synchronous calls (sync-file-io.ts); a larger one is streamed (src/dicom/writer.ts).
 */
async function deidentifyBatchFile(input: string, output: string, request: DeidentifyRequest): Promise<'written' | 'rejected'> {
  const whole = readWholeFileSync(input, WHOLE_FILE_BYTES);
  if (whole === undefined) return (await deidentifyFile(input, output, request)).kind;
  const editor = await openDicomBytes(input, whole.bytes, whole.mtimeMs);
  if (deidentifyEditor(editor, request).kind === 'rejected') return 'rejected';
  // Every byte of the output is in memory: the input was read whole.
  const parts = editedFileParts(editor);
  if (parts === undefined) throw new Error(`internal: the output of ${input} is not all in memory`);
  writeFileAtomicSync(output, parts, request.durable ?? true);
  return 'written';
}
