/**
 * What a script changed in one instance, element by element at every depth: the basis of `script preview`.
 * Paths are written in DicomEdit's own syntax, e.g. `(0008,1115)[0]/(0020,000E)`.
 */
import type { EditableDataset, ItemPath } from './dataset';
import { allElements } from './tag-path-access';
import { formatTag } from './tag-pattern';

/** One element as seen at one moment: its VR and string value ('' for sequences and binary values). */
export interface ElementState {
  readonly vr: string;
  readonly value: string;
}

/** Elements by their DicomEdit path. */
export type DatasetSnapshot = ReadonlyMap<string, ElementState>;

/** The kinds of change, in the order they are listed. */
export const CHANGE_KINDS = ['changed', 'added', 'deleted'] as const;
/** A kind of change. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One changed element. */
export interface ElementChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly vr: string;
  readonly before?: string;
  readonly after?: string;
}

/** The DicomEdit path of an element: `(gggg,eeee)[n]/…/(gggg,eeee)`. */
export function pathText(item: ItemPath, tag: number): string {
  return [...item.map((s) => `${formatTag(s.tag)}[${s.item}]`), formatTag(tag)].join('/');
}

/** Every element of the dataset with its VR and value. */
export function snapshotDataset(ds: EditableDataset): DatasetSnapshot {
  const out = new Map<string, ElementState>();
  for (const ref of allElements(ds)) {
    const vr = ds.vrAt(ref.item, ref.tag) ?? 'UN';
    const value = vr === 'SQ' ? `${ds.itemCount(ref.item, ref.tag)} item(s)` : (ds.getStringAt(ref.item, ref.tag) ?? '');
    out.set(pathText(ref.item, ref.tag), { vr, value });
  }
  return out;
}

/** The elements that differ between two snapshots, ordered by path. */
export function diffSnapshots(before: DatasetSnapshot, after: DatasetSnapshot): ElementChange[] {
  const changes: ElementChange[] = [];
  for (const [path, old] of before) {
    const now = after.get(path);
    if (now === undefined) changes.push({ path, kind: 'deleted', vr: old.vr, before: old.value });
    else if (now.value !== old.value || now.vr !== old.vr) changes.push({ path, kind: 'changed', vr: now.vr, before: old.value, after: now.value });
  }
  for (const [path, now] of after) if (!before.has(path)) changes.push({ path, kind: 'added', vr: now.vr, after: now.value });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
