import type { Client } from '@temporalio/client';
import { DicomDestination, DicomProject, DicomStatus, DicomUploadMethod } from '../workflows/search-attributes';
import { FILES_RECEIVED_SIGNAL, type FilesReceived, type IntakeStudyInput } from '../workflows/types';

/** Workflow id of a study's intake: the study key is already a hash of receiver + StudyInstanceUID. */
export const studyWorkflowId = (studyKey: string) => `study-${studyKey}`;

/**
 * Tells a study's intake workflow that `files` more files were received, starting it if no run is open
 * (signal-with-start is atomic: a late file joins the open run, or opens a new run after the last one closed).
 */
export async function signalStudy(client: Client, taskQueue: string, input: IntakeStudyInput, files: number): Promise<void> {
  await client.workflow.signalWithStart('intakeStudy', {
    taskQueue,
    workflowId: studyWorkflowId(input.studyKey),
    args: [input],
    signal: FILES_RECEIVED_SIGNAL,
    signalArgs: [{ files } satisfies FilesReceived],
    typedSearchAttributes: [
      { key: DicomProject, value: 'Unassigned' },
      { key: DicomUploadMethod, value: input.method ?? 'cstore' },
      { key: DicomDestination, value: input.destination },
      { key: DicomStatus, value: 'RECEIVING' },
    ],
    staticSummary: `DICOM study ${input.studyKey} received by ${input.method === 'gradual' ? 'gradual-DICOM import' : input.receiverId}`,
  });
}
