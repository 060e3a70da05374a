/**
 * `dicom-intake anonymize`: de-identifies files offline with the PS3.15 profile and/or a DicomEdit 6 script.
 * Refused files are never written; each refusal is reported with the file and the reason (never header values).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProfileSelection, parseProfileSelection } from '../anonymize/profile/profile-selection';
import type { DeidentifyRequest } from '../activities/deidentify-file';
import { runPool, threadCount } from './anonymize-pool';
import { requestFor, type BatchJob, type BatchSettings } from './batch-file';
import { writeDicomdirFor } from './dicomdir-output';
import { expandInputs, type InputFile } from './input-files';

const HELP = `Usage: dicom-intake anonymize [--script FILE] [--profile basic[,option,...]] [--var k=v ...]
                               [--secret-file F] [--pixel-rules F] [--encrypt-to F] [--dicomdir] [--jobs N]
                               [--json] --out DIR INPUT...
De-identifies DICOM files (INPUT: files or folders, read recursively) into DIR, keeping paths below each folder.
Big endian, deflated and File Meta-less inputs are written in little endian (noted per file). Input DICOMDIRs are
never copied (their records hold names and IDs); --dicomdir writes a new DIR/DICOMDIR for the output files.
The PS3.15 profile runs first, then the DicomEdit 6 script (see docs/profile.md for why).

  --profile LIST     PS3.15 Annex E Basic Profile and options, e.g. basic,retain-uids,clean-descriptors.
                     Options: retain-safe-private, retain-uids, retain-device-identity, retain-institution-identity,
                     retain-patient-characteristics, retain-long-full-dates, retain-long-modified-dates,
                     clean-descriptors, clean-structured-content, clean-graphics, clean-pixel-data
  --pixel-rules F    pixel-cleaning rules (JSON, docs/profile.md) for clean-pixel-data; required with it
  --encrypt-to F     keep the originals of what the profile changes, encrypted, in (0400,0500): F is the
                     recipient's RSA certificate (PEM) or one line kek:KEYID_HEX:AES_KEY_HEX (docs/profile.md)
  --secret-file F    project secret (first line of F) that keys UID remapping and date shifts; required with --profile
  --script FILE      DicomEdit 6 script
  --var k=v          a script variable (project, subject, session, ...); subject also keys the date shift
  --fsync            make each output durable (fsync file and folder) before counting it written; slower
  --dicomdir         generate DIR/DICOMDIR from the de-identified files (their paths below DIR must be valid
                     File IDs: up to 8 components of 1-8 characters A-Z, 0-9, _)
  --jobs N           threads to use (default: one per idle core, at most 4, and at least 1000 files a thread)
  --json             print a JSON summary on stdout
Exit status: 0 when every input was written, 1 when some were refused, 2 for a usage error.

Examples:
  dicom-intake anonymize --profile basic --secret-file project.key --out anon/ study/
  dicom-intake anonymize --profile basic,clean-pixel-data --pixel-rules us-rules.json --secret-file project.key \\
      --out anon/ ultrasound/
  dicom-intake anonymize --profile basic,retain-long-modified-dates --secret-file project.key \\
      --script site.das --var project=DEMO --var subject=S01 --var session=S01_MR1 --out anon/ a.dcm b.dcm
`;

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
        'pixel-rules': { type: 'string' },
        'encrypt-to': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        fsync: { type: 'boolean', default: false },
        dicomdir: { type: 'boolean', default: false },
        jobs: { type: 'string' },
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

  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) return usage('--jobs must be a whole number of threads, 1 or more');
  }

  let settings: BatchSettings;
  let request: DeidentifyRequest;
  let pixelRulesText: string | undefined;
  let encryptToText: string | undefined;
  try {
    let secret: string | undefined;
    if (values.profile !== undefined) {
      const selection = parseProfileSelection(values.profile); // an unknown option is a usage error, before the secret is asked for
      if (selection.cleanPixelData) {
        if (values['pixel-rules'] === undefined) return usage('clean-pixel-data needs --pixel-rules FILE: the rules say which devices burn text where');
        pixelRulesText = await readFile(values['pixel-rules'], 'utf8');
      } else if (values['pixel-rules'] !== undefined) return usage('--pixel-rules is used only with the clean-pixel-data profile option');
      if (values['encrypt-to'] !== undefined) encryptToText = await readFile(values['encrypt-to'], 'utf8');
      if (values['secret-file'] === undefined) return usage('--profile needs --secret-file: the project secret keys UID remapping and date shifts');
      secret = (await readFile(values['secret-file'], 'utf8')).split('\n')[0]!.trim();
      if (secret === '') return usage(`the secret file ${values['secret-file']} is empty; put the project secret on its first line`);
    }
    if (values['encrypt-to'] !== undefined && values.profile === undefined) return usage('--encrypt-to is used only with --profile (it keeps what the profile changes)');
    const scriptText = values.script === undefined ? undefined : await readFile(values.script, 'utf8');
    settings = { profile: values.profile, pixelRulesText, encryptToText, scriptText, vars, secret, durable: values.fsync };
    request = requestFor(settings);
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
  const taken = new Set<string>();
  const batch: BatchJob[] = inputs.map((input) => {
    const output = join(outDir, input.relative);
    // Overwriting an input would destroy the only identified original if anything went wrong later.
    const duplicate = taken.has(output) || output === resolve(input.path);
    taken.add(output);
    return { input: input.path, output, duplicate };
  });
  const threads = threadCount(batch.length, jobs);
  const outcomes = await runPool(batch, settings, request, threads);

  const refused = outcomes.filter((o) => o.status === 'refused');
  const dropped = outcomes.filter((o) => o.status === 'dropped');
  const written = outcomes.filter((o) => o.status === 'written');
  for (const o of refused) process.stderr.write(`dicom-intake anonymize: refused ${o.input}: ${o.reason}\n`);
  for (const o of dropped) process.stderr.write(`dicom-intake anonymize: dropped ${o.input}: ${o.reason}\n`);
  for (const o of written) if (o.converted) process.stderr.write(`dicom-intake anonymize: note: ${o.input} was ${o.converted.from}; written as ${o.converted.to}\n`);
  let dicomdir: { path?: string; problem?: string } | undefined;
  if (values.dicomdir) {
    dicomdir = await writeDicomdirFor(outDir, written.map((o) => o.output!));
    if (dicomdir.problem !== undefined) process.stderr.write(`dicom-intake anonymize: no DICOMDIR written: ${dicomdir.problem}\n`);
  }
  const ok = refused.length === 0 && dicomdir?.problem === undefined;
  if (values.json) {
    const summary = { ok, profile: values.profile && formatProfileSelection(parseProfileSelection(values.profile)), written: written.length, refused: refused.length, dropped: dropped.length, dicomdir: dicomdir?.path ?? null, threads, files: outcomes };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const extra = `${dropped.length ? `, ${dropped.length} DICOMDIR dropped` : ''}${dicomdir?.path ? `, DICOMDIR generated` : ''}`;
    process.stdout.write(`${written.length} written, ${refused.length} refused${extra}, into ${outDir}\n`);
  }
  return ok ? 0 : 1;
}
