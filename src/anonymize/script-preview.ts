import type { CompiledScript } from './compile';
import type { EditableDataset } from './dataset';
import { diffSnapshots, snapshotDataset, type ElementChange } from './dataset-diff';
import { applyScript, type ApplyOptions } from './interpreter';

/** What a script would do to one instance: nothing is written anywhere. */
export interface ScriptPreview {
  /** The script rejects the instance (reject[]): it would not be stored. */
  rejected: boolean;
  /** Every element it changes, adds or deletes, at every depth, ordered by path (empty when rejected). */
  changes: ElementChange[];
  /** Lines the script printed with echo[]. */
  echoes: readonly string[];
}

/**
 * Applies a script to a dataset in memory and lists what changed: the engine of `dicom-intake script preview` and
 * of the pages' Preview button. The dataset is edited in place, so callers pass a copy they will throw away.
 */
export function previewScript(script: CompiledScript, ds: EditableDataset, vars: Readonly<Record<string, string | undefined>>, options?: ApplyOptions): ScriptPreview {
  const before = snapshotDataset(ds);
  const result = applyScript(script, ds, vars, options);
  return { rejected: result.rejected, changes: result.rejected ? [] : diffSnapshots(before, snapshotDataset(ds)), echoes: result.echoes };
}
