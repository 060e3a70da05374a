/**
 * Expands command-line inputs (files and folders, recursively) into files with the relative path each one keeps
 * under an output folder: a file given by name keeps its name, a file found in a folder keeps its path below it.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** One input file and where it goes relative to the output folder. */
export interface InputFile {
  readonly path: string;
  readonly relative: string;
}

/** The files under `inputs`, in a stable (sorted) order; throws when an input does not exist. */
export async function expandInputs(inputs: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new Error(`the input ${input} does not exist or cannot be read; check the path`);
    }
    if (info.isDirectory()) {
      for (const path of await listFiles(input)) files.push({ path, relative: relative(input, path) });
    } else {
      files.push({ path: input, relative: basename(input) });
    }
  }
  return files;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
