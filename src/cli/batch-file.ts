/**
 * The per-file work of `dicom-intake anonymize`, shared by the command's own thread and its worker threads
 * (anonymize-pool.ts): what a batch is given (plain, cloneable settings), and how one file becomes an outcome.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deidentifyEditor, type DeidentifyRequest } from '../activities/deidentify-file';
import { compileScript } from '../anonymize';
import { compileProfileSetting } from '../anonymize/profile/profile-setting';
import { editedFileParts, isDicomdir, openDicom, openDicomBytes, writeEditedFile, type InputConversion } from '../dicom';
import { readWholeFileSync, writeFileAtomicSync } from './sync-file-io';

// Files up to this size are read whole and written from memory (sync-file-io.ts); larger ones are copied by ranges.
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;
// A few files in flight at once on each thread: while a large one's header is read, another is parsed.
const FILES_IN_FLIGHT = 8;

/** One input and where it goes; `duplicate` when the output is an input or another input's output. */
export interface BatchJob {
  readonly input: string;
  readonly output: string;
  readonly duplicate: boolean;
}

/** One input's outcome in the summary. */
export interface FileOutcome {
  input: string;
  output?: string;
  status: 'written' | 'refused' | 'dropped';
  reason?: string;
  /** Transfer syntax change of a converted input (big endian, deflated, no File Meta). */
  converted?: { from: string; to: string };
}

const TRANSFER_SYNTAX_NAMES: Readonly<Record<string, string>> = {
  '': 'without File Meta',
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};
const DICOMDIR_DROPPED = 'a DICOMDIR is not copied (its records hold names, IDs and byte offsets); --dicomdir generates a new one for the output';

/** What every file of the batch gets, as text: a worker thread compiles it again (compiled scripts hold functions). */
export interface BatchSettings {
  /** The --profile option list (clean-pixel-data included); undefined = no profile. */
  readonly profile?: string;
  /** The --pixel-rules file's text (with clean-pixel-data). */
  readonly pixelRulesText?: string;
  /** The --encrypt-to file's text (a certificate, or kek:ID:KEY). */
  readonly encryptToText?: string;
  /** The DicomEdit script's text; undefined = no script. */
  readonly scriptText?: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly secret?: string;
  readonly durable: boolean;
}

/** The request the settings describe; throws the parser's or compiler's error for bad settings. */
export function requestFor(settings: BatchSettings): DeidentifyRequest {
  // The same compilation as a site's or project's stored profile setting (profile-setting.ts).
  const profile = settings.profile === undefined ? undefined : compileProfileSetting({ options: settings.profile, pixelRules: settings.pixelRulesText ?? null, encryptTo: settings.encryptToText ?? null });
  return {
    profile: profile?.options,
    pixelCleaning: profile?.pixelCleaning,
    encryptTo: profile?.encryptTo,
    script: settings.scriptText === undefined ? undefined : compileScript(settings.scriptText),
    vars: settings.vars,
    secret: settings.secret,
    durable: settings.durable,
    // The CLI reports no content hashes, so it does not compute them (most of the cost of copying large files).
    hash: false,
  };
}

/**
 * Runs jobs until `claim` returns an index past the end, {@link FILES_IN_FLIGHT} at a time, handing each outcome
 * to `done`. Threads share one counter behind `claim`, so a thread that starts late or runs slow takes fewer files.
 */
export async function runJobs(jobs: readonly BatchJob[], request: DeidentifyRequest, claim: () => number, done: (at: number, outcome: FileOutcome) => void): Promise<void> {
  const lane = async (): Promise<void> => {
    for (let at = claim(); at < jobs.length; at = claim()) done(at, await anonymizeJob(jobs[at]!, request));
  };
  await Promise.all(Array.from({ length: FILES_IN_FLIGHT }, lane));
}

async function anonymizeJob(job: BatchJob, request: DeidentifyRequest): Promise<FileOutcome> {
  const input = job.input;
  if (job.duplicate) {
    return { input, status: 'refused', reason: `${job.output} is an input or another input's output; choose an --out folder apart from the inputs and inputs with distinct names` };
  }
  try {
    const result = await deidentifyBatchFile(input, job.output, request);
    if (result.kind === 'rejected') return { input, status: 'refused', reason: 'the script rejected the file (reject[])' };
    if (result.kind === 'dicomdir') return { input, status: 'dropped', reason: DICOMDIR_DROPPED };
    const c = result.conversion;
    const name = (uid: string) => TRANSFER_SYNTAX_NAMES[uid] ?? uid;
    return { input, output: job.output, status: 'written', ...(c ? { converted: { from: name(c.fromTransferSyntaxUid), to: name(c.toTransferSyntaxUid) } } : {}) };
  } catch (e) {
    const err = e as Error & { code?: string };
    // Reader, editor, profile and script errors name tags and positions, never values (see their modules).
    const code = typeof err.code === 'string' ? ` ${err.code}` : '';
    return { input, status: 'refused', reason: `${err.name}${code}: ${err.message}` };
  }
}

/**
 * One file, with synchronous I/O (sync-file-io.ts). A file of up to {@link WHOLE_FILE_BYTES} is read whole and
 * edited and written from memory; a larger one has its header read and its unchanged ranges (pixel data) copied
 * from the input, never held whole. An input converted on read (big endian, deflated) whose bytes are not all in
 * memory is written by the service's streaming writer (src/dicom/writer.ts).
 */
async function deidentifyBatchFile(input: string, output: string, request: DeidentifyRequest): Promise<{ kind: 'written'; conversion?: InputConversion } | { kind: 'rejected' } | { kind: 'dicomdir' }> {
  const whole = readWholeFileSync(input, WHOLE_FILE_BYTES);
  const editor = whole === undefined ? await openDicom(input) : await openDicomBytes(input, whole.bytes, whole.mtimeMs);
  if (isDicomdir(editor)) return { kind: 'dicomdir' };
  if (deidentifyEditor(editor, request).kind === 'rejected') return { kind: 'rejected' };
  const durable = request.durable ?? true;
  const parts = editedFileParts(editor);
  const index = editor.index;
  if (parts !== undefined) writeFileAtomicSync(output, parts, durable, { path: input, size: index.fileSize, mtimeMs: index.mtimeMs });
  else {
    mkdirSync(dirname(output), { recursive: true });
    await writeEditedFile(editor, output, { durable, hash: false });
  }
  return { kind: 'written', conversion: index.converted?.conversion };
}
