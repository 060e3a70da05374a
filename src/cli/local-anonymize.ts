import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileKeys } from '../activities/dicom-header';
import { runScriptOnFile, type ScriptContext } from '../activities/script-runner';
import { layerLookupTables } from '../anonymize/lookup-layers';
import type { StoredScript } from '../db/scripts-repo';
import { DicomReadError, openDicom, sha256File } from '../dicom';
import { detectArchiveFormat, extractArchive, type ExtractLimits } from '../storage/archive-extract';
import { zipFilesTo } from '../storage/zip-write';
import type { ClientScripts } from './server-reads';
import { expandInputs } from './input-files';
import type { ProgressBar } from './progress-bar';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** One input file: where it is, and how the user knows it (its path, or its member number in the given archive). */
interface LocalFile {
  path: string;
  label: string;
}

/** The result of anonymizing an upload on this machine: a zip in the work folder, and what went into it. */
export interface LocalUpload {
  zipPath: string;
  /** Files in the zip. */
  files: number;
  /** Files a script rejected (reject[]): left out. */
  rejected: number;
  /** Inputs that are not DICOM images (no UIDs, unreadable): left out. */
  notDicom: number;
  /** Anonymized files whose exact bytes the target session already holds (resume): not sent again. */
  alreadyArchived: number;
  /** How the user knows member N (1-based) of the zip, to explain the server's "file #N". */
  memberLabels: string[];
}

/**
 * The input files of PATH: a folder (recursively), a zip/tar/tar.gz (extracted into `workDir`; never trusted
 * names), or a single file.
 */
async function collectInputs(path: string, workDir: string, limits: ExtractLimits): Promise<LocalFile[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`cannot read ${path}; check the path`);
  if (info.isDirectory()) return (await expandInputs([path])).map((f) => ({ path: f.path, label: f.path }));
  if (await detectArchiveFormat(path)) {
    const members = await extractArchive(path, limits, (i) => join(workDir, 'in', seqName(i)));
    return members.map((m) => ({ path: m.path, label: `${path} member #${m.index}` }));
  }
  return [{ path, label: path }];
}

/**
 * Runs the site then the project script over every input (the server's own engine and (0012,0064) item, one per
 * script) and zips the results as 000001.dcm, 000002.dcm, ... in `workDir`; only `workDir` is written, and the
 * caller removes it. Member names never come from the inputs (a file name may carry a patient's name).
 */
export async function anonymizeForUpload(args: {
  path: string;
  workDir: string;
  scripts: ClientScripts;
  ctx: ScriptContext;
  limits: ExtractLimits;
  progress: (total: number) => ProgressBar;
  /** Resume: hashed SOP Instance UID -> content sha256 of what the target session holds. */
  archived?: ReadonlyMap<string, string>;
}): Promise<LocalUpload> {
  const inputs = await collectInputs(args.path, args.workDir, args.limits);
  const scripts = [args.scripts.site, args.scripts.project].filter((s): s is StoredScript => !!s);
  // The tables each pass reads, as the server would layer them: the site's for the site script, the project's on top
  // of the site's for the project script.
  const layers = args.scripts.lookup;
  const siteTables = layerLookupTables(layers?.site, undefined)?.tables;
  const projectTables = layerLookupTables(layers?.site, layers?.project)?.tables;
  const tablesFor = (script: StoredScript) => (script.scope === 'project' ? projectTables : siteTables);
  const outDir = join(args.workDir, 'out');
  await mkdir(outDir, { recursive: true });
  const members: { name: string; path: string }[] = [];
  const memberLabels: string[] = [];
  let rejected = 0;
  let notDicom = 0;
  let alreadyArchived = 0;
  const bar = args.progress(inputs.length);
  for (const [i, input] of inputs.entries()) {
    bar.update(i);
    if (!(await isDicomImage(input.path))) {
      notDicom++;
      continue;
    }
    const n = members.length + 1;
    let current = input.path;
    let kept = true;
    for (const [step, script] of scripts.entries()) {
      const out = join(outDir, `${step}-${seqName(n)}`);
      const result = await runScriptOnFile(script, current, out, args.ctx, { lookupTables: tablesFor(script) });
      if (result.kind === 'rejected') {
        kept = false;
        break;
      }
      // 'already-applied': the file's last item already names this script, so it is not run twice.
      if (result.kind === 'written') {
        if (current !== input.path) await rm(current, { force: true });
        current = out;
      }
    }
    if (!kept) {
      if (current !== input.path) await rm(current, { force: true });
      rejected++;
      continue;
    }
    if (args.archived?.size && (await isArchived(current, args.archived))) {
      if (current !== input.path) await rm(current, { force: true });
      alreadyArchived++;
      continue;
    }
    members.push({ name: seqName(n), path: current });
    memberLabels.push(input.label);
  }
  bar.update(inputs.length);
  bar.end();
  const zipPath = join(args.workDir, 'upload.zip');
  await zipFilesTo(members, zipPath);
  return { zipPath, files: members.length, rejected, notDicom, alreadyArchived, memberLabels };
}

/**
 * True when the session already holds this instance with these exact bytes. Anonymization is deterministic
 * (DESIGN invariant 6), so a file archived by an earlier run of the same scripts comes out byte-identical; a file
 * whose bytes differ is sent, and the server applies the overwrite rules to it.
 */
async function isArchived(path: string, archived: ReadonlyMap<string, string>): Promise<boolean> {
  const held = archived.get(readFileKeys(await openDicom(path)).sopUidHash);
  return held !== undefined && held === (await sha256File(path));
}

/** A DICOM file with its Study, Series and SOP Instance UIDs (the server refuses anything else). */
async function isDicomImage(path: string): Promise<boolean> {
  try {
    return readFileKeys(await openDicom(path)).hasUids;
  } catch (err) {
    if (err instanceof DicomReadError) return false;
    throw err;
  }
}
