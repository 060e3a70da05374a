/**
 * `anonymize --dicomdir`: a new DICOMDIR for the de-identified output set, built from the written files' headers
 * (never from an input DICOMDIR, whose records carry names and IDs), written atomically as DIR/DICOMDIR.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { dicomdirFileOf, encodeDicomdir, fileIdProblem, openDicom } from '../dicom';

/** The File-set ID written into (0004,1130). */
const FILE_SET_ID = 'DEIDENTIFIED';

/** Writes `outDir`/DICOMDIR for `outputs`; the path written, or the problem that prevented it (nothing written). */
export async function writeDicomdirFor(outDir: string, outputs: readonly string[]): Promise<{ path?: string; problem?: string }> {
  if (outputs.length === 0) return { problem: 'no file was written, so there is nothing to list' };
  const files = [];
  for (const output of [...outputs].sort()) {
    const rel = relative(outDir, output);
    const components = rel.split(sep);
    const problem = fileIdProblem(components);
    if (problem !== undefined) return { problem: `${rel} cannot be referenced from a DICOMDIR: ${problem}; give inputs with such names (as on a DICOM CD) or leave out --dicomdir` };
    files.push(dicomdirFileOf(await openDicom(output), components));
  }
  const path = join(outDir, 'DICOMDIR');
  await writeFile(`${path}.part`, encodeDicomdir(files, FILE_SET_ID));
  await rename(`${path}.part`, path);
  return { path };
}
