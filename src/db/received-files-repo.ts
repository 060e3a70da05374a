import type { Knex } from 'knex';
import { nowIso } from './clock';
import type { UploadParams } from './uploads-repo';

/** One file stored by a C-STORE receiver, waiting to be sealed into an upload (uploadId null) or sealed. */
export interface ReceivedFile {
  id: string;
  receiverId: string;
  studyKey: string;
  objectKey: string;
  sha256: string;
  size: number;
  uploadId: string | null;
  /** The request parameters a gradual-DICOM file came with (none for C-STORE). */
  params?: UploadParams;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are mapped field by field */
const toFile = (r: any): ReceivedFile => ({
  id: r.id,
  receiverId: r.receiver_id,
  studyKey: r.study_key,
  objectKey: r.object_key,
  sha256: r.sha256,
  size: Number(r.size),
  uploadId: r.upload_id,
  ...(r.params ? { params: JSON.parse(r.params) as UploadParams } : {}),
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Files received over DICOM, grouped by study key until a study workflow seals them into an upload. */
export function createReceivedFilesRepo(db: Knex) {
  return {
    async add(f: Omit<ReceivedFile, 'uploadId'>): Promise<void> {
      await db('received_files').insert({
        id: f.id,
        receiver_id: f.receiverId,
        study_key: f.studyKey,
        object_key: f.objectKey,
        sha256: f.sha256,
        size: f.size,
        params: f.params ? JSON.stringify(f.params) : null,
        received_at: nowIso(),
      });
    },
    /**
     * Gives every unsealed file of a study to `uploadId`, in one statement, and returns the upload's files.
     * Repeating it with the same upload id returns the same files (plus any that arrived in between).
     */
    async claim(studyKey: string, uploadId: string): Promise<ReceivedFile[]> {
      return db.transaction(async (tx) => {
        await tx('received_files').where({ study_key: studyKey }).whereNull('upload_id').update({ upload_id: uploadId });
        return (await tx('received_files').where({ upload_id: uploadId }).orderBy('received_at').orderBy('id')).map(toFile);
      });
    },
    /** Studies with files not yet sealed (for re-signalling after a restart). */
    async openStudies(receiverId: string): Promise<{ studyKey: string; files: number }[]> {
      const rows: { study_key: string; n: number | string }[] = await db('received_files')
        .where({ receiver_id: receiverId })
        .whereNull('upload_id')
        .groupBy('study_key')
        .select('study_key', db.raw('count(*) as n'));
      return rows.map((r) => ({ studyKey: String(r.study_key), files: Number(r.n) }));
    },
    /**
     * Files of a study still being received or built: not sealed yet, or sealed into an upload whose import has
     * not finished. The count a RECEIVING prearchive row shows.
     */
    async inProgress(studyKey: string): Promise<number> {
      const row = await db('received_files')
        .where({ study_key: studyKey })
        .where((q) => q.whereNull('upload_id').orWhereIn('upload_id', db('uploads').select('id').whereNotIn('status', ['ARCHIVED', 'PREARCHIVED', 'ERROR'])))
        .count({ n: '*' })
        .first();
      return Number(row?.n ?? 0);
    },
    /** Whether a study has files not sealed into an upload yet. */
    async unsealed(studyKey: string): Promise<number> {
      const row = await db('received_files').where({ study_key: studyKey }).whereNull('upload_id').count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },
    async byUpload(uploadId: string): Promise<ReceivedFile[]> {
      return (await db('received_files').where({ upload_id: uploadId })).map(toFile);
    },
    /** Forgets the rows of files given to `uploadId` (a discarded study's files, once removed from staging). */
    async removeByUpload(uploadId: string): Promise<void> {
      await db('received_files').where({ upload_id: uploadId }).delete();
    },
  };
}
/** The received-files repository. */
export type ReceivedFilesRepo = ReturnType<typeof createReceivedFilesRepo>;
