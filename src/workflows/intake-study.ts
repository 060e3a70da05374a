import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DB_ACTIVITY_OPTIONS, FILE_ACTIVITY_OPTIONS } from './activity-options';
import { importUpload } from './import-upload';
import { DicomDestination, DicomProject, DicomStatus, DicomUploadMethod } from './search-attributes';
import {
  BUILD_STUDY_UPDATE,
  DISCARD_STUDY_UPDATE,
  FILES_RECEIVED_SIGNAL,
  type BuildStudyResult,
  type DiscardStudyResult,
  type FilesReceived,
  type IntakeStudyCarry,
  type IntakeStudyInput,
  type IntakeStudyResult,
} from './types';

// Sealing moves every file of the study (renames with folder fsyncs): a file activity, with heartbeats.
const files = proxyActivities<Activities>(FILE_ACTIVITY_OPTIONS);
const db = proxyActivities<Activities>(DB_ACTIVITY_OPTIONS);

/** Signal sent by a receiver, batched (one signal for many files), so a large study costs few history events. */
export const filesReceived = defineSignal<[FilesReceived]>(FILES_RECEIVED_SIGNAL);

/**
 * XNAT's Rebuild of a RECEIVING session: build now. An update, not a signal, so that the caller is refused at once
 * (validator) when the study is no longer waiting, and otherwise gets the build's outcome when it has ended.
 */
export const buildStudyNow = defineUpdate<BuildStudyResult>(BUILD_STUDY_UPDATE);
/** XNAT's Delete of a RECEIVING session: discard the files received so far; answered once they are gone. */
export const discardStudy = defineUpdate<DiscardStudyResult>(DISCARD_STUDY_UPDATE);

/** States of a study's intake, mirrored into the DicomStatus search attribute. */
export const STUDY_STATES = ['RECEIVING', 'IMPORTING', 'DONE', 'ERROR', 'DELETED'] as const;
type StudyState = (typeof STUDY_STATES)[number];

// Continue-as-new well before the server's limits (10,000 signals per run; 4,096 events suggested).
const MAX_SIGNALS_PER_RUN = 1000;

/**
 * Intake of one study received over DICOM (XNAT's gradual DICOM import): C-STORE receivers, and gradual-DICOM
 * requests to the import service, signal it with start, keyed by a hash of front door + StudyInstanceUID; once no file has arrived for the idle time, the files received so far
 * are sealed into an upload and handed to importUpload (site pass, identify, project pass, archive). Files that
 * arrive meanwhile or later join this run and go through the same path into the same session, never a second one.
 */
export async function intakeStudy(input: IntakeStudyInput): Promise<IntakeStudyResult> {
  const c: IntakeStudyCarry = input.carried ?? { received: 0, lastArrival: Date.now(), imports: 0, importedFiles: 0, failedImports: 0 };
  let signals = 0;
  let firstFailure: { type: string; message: string } | undefined;
  // Registered before any await, so that the signal delivered with the start is not missed.
  setHandler(filesReceived, ({ files }) => {
    c.received += files;
    c.lastArrival = Date.now();
    signals++;
  });
  const state = (s: StudyState) => upsertSearchAttributes([{ key: DicomStatus, value: s }]);
  state('RECEIVING');

  // Rebuild and delete are accepted only while the run waits for files (its row is RECEIVING); the validator runs
  // in the same activation as the loop's state changes, so it never accepts a request the loop can no longer serve.
  let waiting = true;
  let buildAsked = false;
  let discardAsked = false;
  let builds = 0;
  let lastBuild: BuildStudyResult | undefined;
  let discarded: DiscardStudyResult | undefined;
  // A delete is refused once a build is asked (and the reverse), so no accepted request is left without an answer.
  const onlyWhileReceiving = (op: 'rebuild' | 'delete') => () => {
    if (!waiting || discardAsked || (op === 'delete' && buildAsked)) {
      const now = discardAsked ? 'being deleted' : 'being built now (BUILDING) or just built';
      throw ApplicationFailure.create({ type: 'PrearchiveStatusError', message: `cannot ${op} study ${input.studyKey}: it is ${now}; list the prearchive again and act on the built session`, nonRetryable: true });
    }
  };
  setHandler(
    buildStudyNow,
    async () => {
      const wanted = builds + 1;
      buildAsked = true;
      await condition(() => builds >= wanted);
      return lastBuild!;
    },
    { validator: onlyWhileReceiving('rebuild') },
  );
  setHandler(
    discardStudy,
    async () => {
      discardAsked = true;
      await condition(() => discarded !== undefined);
      return discarded!;
    },
    { validator: onlyWhileReceiving('delete') },
  );

  let sealedAt = -1;
  while (c.received !== sealedAt) {
    // One timer per idle window, not one per file: each wake-up re-reads the last arrival (temporal-notes §4.6).
    const maxSignals = input.maxSignalsPerRun ?? MAX_SIGNALS_PER_RUN;
    const mustRollOver = () => workflowInfo().continueAsNewSuggested || signals >= maxSignals;
    for (;;) {
      // A request waits on this run's loop, so it is served before any roll-over (which waits for handlers).
      if (buildAsked || discardAsked) break;
      if (mustRollOver()) {
        await condition(allHandlersFinished);
        return continueAsNew<typeof intakeStudy>({ ...input, carried: c });
      }
      const wait = c.lastArrival + input.idleMs - Date.now();
      if (wait <= 0) break;
      // Wakes at the end of the idle window, at once when this run has taken enough signals, or on a request.
      await condition(() => mustRollOver() || buildAsked || discardAsked, wait);
    }
    waiting = false;
    if (discardAsked) {
      state('DELETED');
      const signalsBefore = signals;
      const discardId = `discard_${uuid4().replace(/-/g, '')}`;
      const { prearchiveId } = await db.cutReceivingStudy({ studyKey: input.studyKey, discardId });
      const removed = await files.removeDiscardedStudy({ discardId, prearchiveId });
      discarded = { studyKey: input.studyKey, prearchiveId, files: removed.files };
      await condition(allHandlersFinished);
      // A signal during the delete may be a file recorded after the cut (kept, unsealed): it is a new study, so a
      // new run with fresh counters takes it (at worst one that finds nothing to seal and ends).
      if (signals > signalsBefore) return continueAsNew<typeof intakeStudy>({ ...input, carried: undefined });
      return { studyKey: input.studyKey, received: c.received, imports: c.imports, importedFiles: c.importedFiles, failedImports: c.failedImports, deleted: discarded };
    }
    sealedAt = c.received;
    state('IMPORTING');
    // The upload id is made here (deterministically on replay), so a retried seal fills the same upload.
    const uploadId = `up_${uuid4().replace(/-/g, '')}`;
    const method = input.method ?? 'cstore';
    const sealed = await files.sealReceivedStudy({ studyKey: input.studyKey, receiverId: input.receiverId, uploadId, destination: input.destination, anonymize: input.anonymize, method });
    const build: BuildStudyResult = { studyKey: input.studyKey, uploadId: sealed.files > 0 ? uploadId : null, files: sealed.files, importedFiles: 0 };
    if (sealed.files > 0) {
      c.imports++;
      try {
        const r = await executeChild(importUpload, {
          workflowId: `upload-${uploadId}`,
          args: [{ uploadId, destination: input.destination, skipSitePass: input.skipSitePass, overwrite: 'append' }],
          typedSearchAttributes: [
            { key: DicomProject, value: 'Unassigned' },
            { key: DicomUploadMethod, value: method },
            { key: DicomDestination, value: input.destination },
            { key: DicomStatus, value: 'RECEIVED' },
          ],
        });
        c.importedFiles += r.files;
        build.importedFiles = r.files;
      } catch (err) {
        // The import quarantined its files with the reason; this study goes on with later files.
        c.failedImports++;
        build.failure = applicationFailureOf(err);
        firstFailure ??= build.failure;
      }
    }
    // The study's RECEIVING row (BUILDING during the import) goes, or shows RECEIVING again if more files came.
    await db.settleReceivingStudy({ studyKey: input.studyKey });
    state('RECEIVING');
    lastBuild = build;
    buildAsked = false;
    builds++;
    waiting = true;
  }
  waiting = false;
  await condition(allHandlersFinished);
  state(c.failedImports ? 'ERROR' : 'DONE');
  const result = { studyKey: input.studyKey, received: c.received, imports: c.imports, importedFiles: c.importedFiles, failedImports: c.failedImports };
  if (firstFailure) throw ApplicationFailure.create({ message: `${c.failedImports} of ${c.imports} imports of study ${input.studyKey} failed; first: ${firstFailure.message}`, type: firstFailure.type, nonRetryable: true });
  return result;
}

function applicationFailureOf(err: unknown): { type: string; message: string } {
  let e = err as { type?: unknown; message?: string; cause?: unknown } | undefined;
  while (e) {
    if (typeof e.type === 'string' && e.type) return { type: e.type, message: e.message ?? '' };
    e = e.cause as typeof e;
  }
  return { type: 'InternalError', message: (err as Error).message };
}
