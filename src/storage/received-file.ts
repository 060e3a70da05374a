import { openDicom } from '../dicom';
import type { FileOpener } from '../dicom/byte-source';
import { prearchiveTimestamp } from '../domain/prearchive-status';
import { hashIdentifier } from '../domain/uid-hash';
import type { Repositories } from '../db/repositories';
import type { FileStore } from './file-store';

const TAG = { StudyInstanceUID: 0x0020000d, SeriesInstanceUID: 0x0020000e, SOPInstanceUID: 0x00080018 } as const;

/** The study key of a received file: a hash of its front door (receiver id, or gradual door) and StudyInstanceUID. */
export function receivedStudyKey(doorId: string, studyInstanceUid: string): string {
  return hashIdentifier('received-study', `${doorId}\u0000${studyInstanceUid}`);
}

/**
 * Reads a received file's header once, in memory: its StudyInstanceUID when it has its Study, Series and SOP
 * Instance UIDs, else why not, as the reader's error code (e.g. TRUNCATED) or MISSING_UID, never a message (a
 * message may quote header bytes).
 */
export async function studyOfReceivedFile(path: string, open?: FileOpener): Promise<{ studyUid: string } | { refused: string }> {
  try {
    const ds = await openDicom(path, { open });
    const studyUid = ds.getString(TAG.SeriesInstanceUID) && ds.getString(TAG.SOPInstanceUID) ? ds.getString(TAG.StudyInstanceUID) : undefined;
    return studyUid ? { studyUid } : { refused: 'MISSING_UID' };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { refused: typeof code === 'string' && code ? code : (err as Error).name };
  }
}

/**
 * Keeps a refused received file in quarantine/<door…>/<file id>/ with a reason.json (the error code, the door, the
 * status answered; no header value): nothing received is dropped silently. If even that fails, the file is removed
 * and the error is thrown for the caller to log.
 */
export async function quarantineReceivedFile(store: FileStore, door: string[], fileId: string, objectKey: string, reason: { code: string; status: string } & Record<string, string>): Promise<void> {
  const to = store.quarantineKey(door[0], ...door.slice(1), fileId);
  try {
    await store.move(objectKey, `${to}/received.dcm`);
    await store.writeDurable(`${to}/reason.json`, JSON.stringify({ errorType: 'UnreadableDicomError', ...reason, at: new Date().toISOString() }, null, 2));
  } catch (err) {
    await store.remove(objectKey);
    throw err;
  }
}

/**
 * Makes sure the study of a file just recorded has its RECEIVING prearchive row (opaque folder, no subject: nothing
 * from the headers before the site pass). A failure here loses nothing (the file is recorded), so it is reported
 * to `onError`, not thrown.
 */
export async function markStudyReceiving(repos: Repositories, s: { studyKey: string; projectId: string | null; source?: string }, onError: (err: Error) => void) {
  return repos.prearchive.ensureReceiving({ ...s, timestamp: prearchiveTimestamp(new Date()) }).catch((err: Error) => {
    onError(err);
    return undefined;
  });
}
