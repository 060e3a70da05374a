/**
 * Applies the PS3.15 Annex E Basic Application Level Confidentiality Profile, with the selected options, to one
 * instance: every element at every depth (File Meta, private and UN elements included) gets the action its Table
 * E.1-1 row resolves to; then the File Meta is re-described and the de-identification markers are written.
 * Pure: the caller opens and writes the file.
 */
import { assertNever } from '../../domain/assert-never';
import { remapUidList, type ProjectSecret } from '../uid-remap';
import { effectiveCode, resolveAction, type ElementAction } from './action-resolution';
import { shiftDate, shiftDateTime, shiftDaysFor, shiftEach } from './date-shift';
import { dummyValue } from './dummy-values';
import { writeMarkers } from './deidentification-markers';
import { ProfileError } from './profile-errors';
import type { ProfileOptions } from './profile-options';
import { formatTagPath, type ItemPath, type ProfileDataset, type ProfileFileTarget } from './profile-dataset';
import { isSafePrivate, type PrivateValue } from './safe-private';
import { isPrivate, rowForTag } from './table-lookup';
import { IdentifyingValues } from './text-scrub';
import type { OptionColumn } from './table-types';

/** What the profile needs besides the dataset. */
export interface ProfileContext {
  readonly options: ProfileOptions;
  /** The project secret that keys UID remapping and date shifts. */
  readonly secret: ProjectSecret;
  /** The dictionary VR of a public tag (used when the file says UN); undefined when unknown. */
  readonly dictionaryVr: (tag: number) => string | undefined;
  /** Who the instance belongs to, for the per-subject date shift; default: the source Patient ID. */
  readonly subjectKey?: string;
}

/** Counts of what the profile did to one instance (no values: safe to log). */
export interface ProfileReport {
  removed: number;
  emptied: number;
  dummied: number;
  remapped: number;
  cleaned: number;
  kept: number;
  privateRemoved: number;
  privateKept: number;
  itemsVisited: number;
}

const TEXT_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
const PATIENT_ID = 0x00100020;
const PATIENT_NAME = 0x00100010;
const BURNED_IN_ANNOTATION = 0x00280301;

/** Applies the profile to `ds` (and the file-level parts to `file`); throws ProfileError when it cannot finish. */
export function applyProfile(ds: ProfileDataset, file: ProfileFileTarget, ctx: ProfileContext): ProfileReport {
  if (ctx.secret.length === 0) {
    throw new ProfileError('EMPTY_SECRET', 'the de-identification secret is empty; give a project secret (--secret-file) so that UIDs and date shifts cannot be recomputed by others');
  }
  // E.1.1: identification burned into the pixels must be removed or known absent before (0012,0062) may say YES.
  if (ds.getStringAt([], BURNED_IN_ANNOTATION)?.trim().toUpperCase() === 'YES') {
    throw new ProfileError(
      'BURNED_IN_ANNOTATION',
      'Burned In Annotation (0028,0301) is YES and the profile does not clean pixel data; blank the text first (e.g. a DicomEdit alterPixels script run on its own) and set (0028,0301) to NO, then apply the profile',
    );
  }
  const run = new ProfileRun(ds, ctx);
  if (needsIdentifyingValues(ctx.options)) run.collect([]);
  run.visit([]);
  replaceFileMeta(ds);
  file.clearPreamble();
  writeMarkers(ds, file, ctx.options);
  return run.report;
}

/** Options whose C action cleans free text, which needs the instance's identifying values first. */
function needsIdentifyingValues(options: ProfileOptions): boolean {
  return TEXT_CLEANING_OPTIONS.some((o) => options.has(o));
}

const TEXT_CLEANING_OPTIONS: readonly OptionColumn[] = ['cleanDescriptors', 'retainPatientCharacteristics', 'retainDeviceIdentity', 'cleanGraphics', 'cleanStructuredContent'];

// E.1.1 item 7: the File Meta must describe the de-identifying application, not the source system.
const IMPLEMENTATION_CLASS_UID = 0x00020012;
const IMPLEMENTATION_VERSION_NAME = 0x00020013;
const META_REMOVED = [0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102];
/** dicom-intake's Implementation Class UID: a fixed UUID-derived UID (2.25 arc). */
export const DICOM_INTAKE_IMPLEMENTATION_CLASS_UID = '2.25.183717042436152926263468093524218702337';
/** dicom-intake's Implementation Version Name (SH, at most 16 characters). */
export const DICOM_INTAKE_IMPLEMENTATION_VERSION = 'DICOM_INTAKE_01';

function replaceFileMeta(ds: ProfileDataset): void {
  for (const tag of META_REMOVED) ds.deleteAt([], tag);
  ds.setStringAt([], IMPLEMENTATION_CLASS_UID, DICOM_INTAKE_IMPLEMENTATION_CLASS_UID);
  ds.setStringAt([], IMPLEMENTATION_VERSION_NAME, DICOM_INTAKE_IMPLEMENTATION_VERSION);
}

class ProfileRun {
  readonly report: ProfileReport = { removed: 0, emptied: 0, dummied: 0, remapped: 0, cleaned: 0, kept: 0, privateRemoved: 0, privateKept: 0, itemsVisited: 0 };
  private readonly identifying = new IdentifyingValues();
  private shiftDays: number | undefined;
  /** Patient ID, else Patient's Name, else '' (then every subject without either shares one shift). */
  private readonly sourceSubjectKey: string;

  constructor(
    private readonly ds: ProfileDataset,
    private readonly ctx: ProfileContext,
  ) {
    // Read before the walk, which empties Patient ID: the date shift must follow the real subject.
    this.sourceSubjectKey = ds.getStringAt([], PATIENT_ID)?.trim() || ds.getStringAt([], PATIENT_NAME)?.trim() || '';
  }

  /** The VR to act on: the file's, or the dictionary's when the file says UN (CP-246 files, implicit VR). */
  private vrOf(path: ItemPath, tag: number): string {
    const vr = this.ds.vrAt(path, tag) ?? 'UN';
    if (vr !== 'UN' || isPrivate(tag)) return vr;
    return this.ctx.dictionaryVr(tag) ?? 'UN';
  }

  /** True for a sequence, including a UN element of a tag the dictionary does not know that holds items. */
  private isSequence(path: ItemPath, tag: number): boolean {
    const vr = this.vrOf(path, tag);
    return vr === 'SQ' || (vr === 'UN' && this.ds.itemCount(path, tag) > 0);
  }

  /** The item paths of the sequence (path, tag); refuses a sequence whose items cannot be listed. */
  private items(path: ItemPath, tag: number): ItemPath[] {
    const count = this.ds.itemCount(path, tag);
    if (count === 0 && this.ds.vrAt(path, tag) === 'UN' && (this.ds.getBytesAt(path, tag)?.length ?? 0) > 0) {
      // A sequence encoded as UN whose items the dataset could not parse: passing it through would leak its content.
      throw new ProfileError('UNREADABLE_SEQUENCE', `the sequence ${formatTagPath(path, tag)} is encoded as UN and its items cannot be read, so it cannot be de-identified; the file is refused`);
    }
    return Array.from({ length: count }, (_, item) => [...path, { tag, item }]);
  }

  /** First pass: records the values the profile protects, for cleaning free text later. */
  collect(path: ItemPath): void {
    for (const tag of this.ds.tagsAt(path)) {
      const vr = this.vrOf(path, tag);
      if (vr === 'SQ' || this.isSequence(path, tag)) {
        for (const item of this.items(path, tag)) this.collect(item);
        continue;
      }
      const row = rowForTag(tag);
      if (row === undefined || isPrivate(tag) || !TEXT_VRS.has(vr) && vr !== 'DA' && vr !== 'DT') continue;
      const action = resolveAction(row, this.ctx.options, vr);
      if (action.kind === 'keep' || action.kind === 'clean') continue;
      const value = this.ds.getStringAt(path, tag);
      if (value !== undefined && value !== '') this.identifying.add(value, vr);
    }
  }

  /** Second pass: applies the actions to every element of the item at `path`, and below it. */
  visit(path: ItemPath): void {
    this.report.itemsVisited += 1;
    const creators: number[] = [];
    const keptBlocks = new Set<number>();
    const retainSafePrivate = this.ctx.options.has('retainSafePrivate');
    for (const tag of this.ds.tagsAt(path)) {
      const group = tag >>> 16;
      if (group === 0x0002 && path.length > 0) continue;
      if ((tag & 0xffff) === 0 && !isPrivate(tag)) continue; // group lengths are recomputed by the writer
      if (isPrivate(tag)) {
        const element = tag & 0xffff;
        if (element >= 0x10 && element <= 0xff) {
          creators.push(tag);
          continue;
        }
        const creatorTag = ((group << 16) | (element >>> 8)) >>> 0;
        // The creator is read only when it can matter: decoding values is the walk's main cost.
        if (retainSafePrivate && element >>> 8 >= 0x10 && isSafePrivate(tag, this.ds.getStringAt(path, creatorTag), this.privateValue(path, tag))) {
          keptBlocks.add(creatorTag);
          this.report.privateKept += 1;
        } else {
          this.ds.deleteAt(path, tag);
          this.report.privateRemoved += 1;
        }
        continue;
      }
      const row = rowForTag(tag);
      if (row === undefined) {
        // Not in Table E.1-1: kept, but a sequence's items may hold listed attributes (E.1.1: "at any depth").
        // Only a dictionary sequence, or an unknown tag (possibly a UN sequence), needs its VR read from the file.
        const known = this.ctx.dictionaryVr(tag);
        if ((known === 'SQ' || known === undefined) && this.isSequence(path, tag)) for (const item of this.items(path, tag)) this.visit(item);
        continue;
      }
      // Removal needs no VR; reading VRs is a large part of the walk's cost, and most listed attributes are X.
      if (effectiveCode(row, this.ctx.options).code === 'X') {
        this.act(path, tag, 'UN', { kind: 'remove' });
        continue;
      }
      const vr = this.vrOf(path, tag);
      this.act(path, tag, vr, resolveAction(row, this.ctx.options, vr));
    }
    for (const creator of creators) {
      if (keptBlocks.has(creator)) continue;
      this.ds.deleteAt(path, creator);
      this.report.privateRemoved += 1;
    }
  }

  /** The VR and bytes of a private element, for the safe list's VR condition (read only for listed elements). */
  private privateValue(path: ItemPath, tag: number): PrivateValue {
    return { vr: this.ds.vrAt(path, tag), bytes: () => this.ds.getBytesAt(path, tag) };
  }

  private act(path: ItemPath, tag: number, vr: string, action: ElementAction): void {
    const ds = this.ds;
    switch (action.kind) {
      case 'remove':
        ds.deleteAt(path, tag);
        this.report.removed += 1;
        return;
      case 'empty':
        this.empty(path, tag, vr);
        this.report.emptied += 1;
        return;
      case 'dummy': {
        const dummy = vr === 'SQ' ? undefined : dummyValue(vr);
        if (vr === 'SQ') this.empty(path, tag, vr);
        else if (dummy === undefined) ds.deleteAt(path, tag);
        else ds.setStringAt(path, tag, dummy);
        this.report.dummied += 1;
        return;
      }
      case 'remap-uid': {
        const value = ds.getStringAt(path, tag);
        if (value !== undefined && value.trim() !== '') ds.setStringAt(path, tag, remapUidList(value, this.ctx.secret));
        this.report.remapped += 1;
        return;
      }
      case 'keep':
        this.report.kept += 1;
        return;
      case 'recurse':
        for (const item of this.items(path, tag)) this.visit(item);
        return;
      case 'clean':
        this.clean(path, tag, vr, action.option);
        this.report.cleaned += 1;
        return;
      default:
        assertNever(action);
    }
  }

  private empty(path: ItemPath, tag: number, vr: string): void {
    if (vr !== 'SQ') {
      this.ds.setStringAt(path, tag, '');
      return;
    }
    this.items(path, tag); // refuses an unreadable UN sequence rather than emptying what it cannot see
    for (let n = this.ds.itemCount(path, tag); n > 0; n -= 1) this.ds.deleteItem(path, tag, 0);
  }

  /** Action C for a value (sequences are recursed by resolveAction's 'recurse'). */
  private clean(path: ItemPath, tag: number, vr: string, option: OptionColumn): void {
    const ds = this.ds;
    const value = ds.getStringAt(path, tag);
    switch (option) {
      case 'retainLongitudinalModifiedDates': {
        if (value === undefined || value.trim() === '' || (vr !== 'DA' && vr !== 'DT')) return; // TM: whole-day shifts keep times valid
        const days = this.subjectShiftDays();
        const shifted = shiftEach(value, (one) => (vr === 'DA' ? shiftDate(one, days) : shiftDateTime(one, days)));
        // A date we cannot read cannot be shifted; emptying it protects it.
        ds.setStringAt(path, tag, shifted ?? '');
        return;
      }
      case 'cleanGraphics':
        if (!TEXT_VRS.has(vr)) {
          // Overlay and curve bitmaps cannot be examined for burned-in text here, so cleaning them means removing them.
          ds.deleteAt(path, tag);
          return;
        }
        this.scrub(path, tag, value);
        return;
      case 'cleanDescriptors':
      case 'retainPatientCharacteristics':
      case 'retainDeviceIdentity':
      case 'cleanStructuredContent':
        if (TEXT_VRS.has(vr)) this.scrub(path, tag, value);
        else if (vr !== 'SQ' && dummyValue(vr) === undefined) ds.deleteAt(path, tag);
        return;
      case 'retainSafePrivate':
      case 'retainUids':
      case 'retainInstitutionIdentity':
      case 'retainLongitudinalFullDates':
        return; // these options only keep (K) in Table E.1-1 2025b
      default:
        assertNever(option);
    }
  }

  private scrub(path: ItemPath, tag: number, value: string | undefined): void {
    if (value === undefined || value === '') return;
    const cleaned = this.identifying.scrub(value);
    if (cleaned !== value) this.ds.setStringAt(path, tag, cleaned);
  }

  /** The subject's shift, computed once from the source Patient ID (read before the profile empties it). */
  private subjectShiftDays(): number {
    if (this.shiftDays === undefined) {
      const key = this.ctx.subjectKey ?? this.sourceSubjectKey;
      this.shiftDays = shiftDaysFor(this.ctx.secret, key);
    }
    return this.shiftDays;
  }
}
