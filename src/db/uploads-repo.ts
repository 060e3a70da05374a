import type { Knex } from 'knex';
import type { Destination, UploadMethod, UploadStatus } from '../domain/upload-status';
import { nowIso } from './clock';

/** Request parameters of an upload, kept in the database so that workflow inputs carry only the upload id. */
export interface UploadParams {
  project?: string;
  subject?: string;
  session?: string;
  overwrite?: 'none' | 'append' | 'delete';
  preventAnon?: boolean;
  ignoreUnparsable?: boolean;
  source?: string;
  /** The C-STORE receiver a cstore upload came through (its routing rules apply). */
  receiverId?: string;
  /** Set for a receiver with anonymization switched off: neither the site nor the project script runs. */
  anonymizationDisabled?: boolean;
}

/** One upload. */
export interface Upload {
  id: string;
  method: UploadMethod;
  destination: Destination;
  projectId: string | null;
  params: UploadParams;
  status: UploadStatus;
  workflowId: string | null;
  errorCode: string | null;
  error: string | null;
  fileCount: number | null;
  createdAt: string;
}

/** One file of an upload, as it moves through the stages. */
export interface UploadFile {
  uploadId: string;
  seq: number;
  stage: 'raw' | 'site' | 'project' | 'archived' | 'rejected';
  sha256: string;
  size: number;
  groupId: string | null;
  studyUidHash: string | null;
  seriesUidHash: string | null;
  sopUidHash: string | null;
  seriesNumber: string | null;
}

/** A set of an upload's files that becomes one session. */
export interface UploadGroup {
  id: string;
  uploadId: string;
  projectId: string;
  subjectLabel: string;
  sessionLabel: string;
  studyUidHash: string;
  sessionId: string | null;
  status: string;
  /** The DICOM `AA:` override found at identification: true, false, or null when absent. */
  autoArchive: boolean | null;
  /** Folder holding the group's files: staging/<upload> until prearchived, then its prearchive folder. */
  baseKey: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are mapped field by field below */
const toUpload = (r: any): Upload => ({
  id: r.id,
  method: r.method,
  destination: r.destination,
  projectId: r.project_id,
  params: JSON.parse(r.params),
  status: r.status,
  workflowId: r.workflow_id,
  errorCode: r.error_code,
  error: r.error,
  fileCount: r.file_count,
  createdAt: r.created_at,
});
const toFile = (r: any): UploadFile => ({
  uploadId: r.upload_id,
  seq: r.seq,
  stage: r.stage,
  sha256: r.sha256,
  size: Number(r.size),
  groupId: r.group_id,
  studyUidHash: r.study_uid_hash,
  seriesUidHash: r.series_uid_hash,
  sopUidHash: r.sop_uid_hash,
  seriesNumber: r.series_number,
});
const toGroup = (r: any): UploadGroup => ({
  id: r.id,
  uploadId: r.upload_id,
  projectId: r.project_id,
  subjectLabel: r.subject_label,
  sessionLabel: r.session_label,
  studyUidHash: r.study_uid_hash,
  sessionId: r.session_id,
  status: r.status,
  baseKey: r.base_key,
  autoArchive: r.auto_archive === null || r.auto_archive === undefined ? null : Boolean(r.auto_archive),
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Uploads, their files and their session groups. */
export function createUploadsRepo(db: Knex) {
  return {
    async create(u: { id: string; method: UploadMethod; destination: Destination; projectId?: string; params: UploadParams; workflowId: string }): Promise<void> {
      const now = nowIso();
      await db('uploads').insert({
        id: u.id,
        method: u.method,
        destination: u.destination,
        project_id: u.projectId ?? null,
        params: JSON.stringify(u.params),
        status: 'RECEIVED',
        workflow_id: u.workflowId,
        created_at: now,
        updated_at: now,
      });
    },
    async get(id: string): Promise<Upload | undefined> {
      const row = await db('uploads').where({ id }).first();
      return row ? toUpload(row) : undefined;
    },
    async setStatus(id: string, status: UploadStatus, extra: { errorCode?: string; error?: string; fileCount?: number } = {}): Promise<void> {
      await db('uploads').where({ id }).update({
        status,
        updated_at: nowIso(),
        ...(extra.errorCode !== undefined && { error_code: extra.errorCode }),
        ...(extra.error !== undefined && { error: extra.error }),
        ...(extra.fileCount !== undefined && { file_count: extra.fileCount }),
      });
    },
    /** Records the unpacked files; replaces an earlier partial attempt of the same upload. */
    async replaceFiles(uploadId: string, files: { seq: number; sha256: string; size: number }[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx('upload_files').where({ upload_id: uploadId }).delete();
        for (let i = 0; i < files.length; i += 200) {
          await tx('upload_files').insert(
            files.slice(i, i + 200).map((f) => ({ upload_id: uploadId, seq: f.seq, stage: 'raw', sha256: f.sha256, size: f.size })),
          );
        }
      });
    },
    async files(uploadId: string, groupId?: string): Promise<UploadFile[]> {
      const q = db('upload_files').where({ upload_id: uploadId }).orderBy('seq');
      if (groupId) q.andWhere({ group_id: groupId });
      return (await q).map(toFile);
    },
    async updateFile(uploadId: string, seq: number, fields: Partial<Omit<UploadFile, 'uploadId' | 'seq'>>): Promise<void> {
      const cols: Record<string, unknown> = {};
      if (fields.stage !== undefined) cols.stage = fields.stage;
      if (fields.sha256 !== undefined) cols.sha256 = fields.sha256;
      if (fields.size !== undefined) cols.size = fields.size;
      if (fields.groupId !== undefined) cols.group_id = fields.groupId;
      if (fields.studyUidHash !== undefined) cols.study_uid_hash = fields.studyUidHash;
      if (fields.seriesUidHash !== undefined) cols.series_uid_hash = fields.seriesUidHash;
      if (fields.sopUidHash !== undefined) cols.sop_uid_hash = fields.sopUidHash;
      if (fields.seriesNumber !== undefined) cols.series_number = fields.seriesNumber;
      await db('upload_files').where({ upload_id: uploadId, seq }).update(cols);
    },
    /** Replaces the upload's groups (identification is re-run whole on a retry). */
    async replaceGroups(uploadId: string, groups: (Omit<UploadGroup, 'sessionId' | 'status' | 'baseKey' | 'autoArchive'> & { autoArchive?: boolean | null })[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx('upload_groups').where({ upload_id: uploadId }).delete();
        if (groups.length) {
          await tx('upload_groups').insert(
            groups.map((g) => ({
              id: g.id,
              upload_id: uploadId,
              project_id: g.projectId,
              subject_label: g.subjectLabel,
              session_label: g.sessionLabel,
              study_uid_hash: g.studyUidHash,
              auto_archive: g.autoArchive ?? null,
              status: 'IDENTIFIED',
            })),
          );
        }
      });
    },
    async groups(uploadId: string): Promise<UploadGroup[]> {
      return (await db('upload_groups').where({ upload_id: uploadId }).orderBy('id')).map(toGroup);
    },
    async group(groupId: string): Promise<UploadGroup | undefined> {
      const row = await db('upload_groups').where({ id: groupId }).first();
      return row ? toGroup(row) : undefined;
    },
    async setGroup(groupId: string, fields: { status?: string; sessionId?: string; baseKey?: string; projectId?: string }): Promise<void> {
      await db('upload_groups').where({ id: groupId }).update({
        ...(fields.status !== undefined && { status: fields.status }),
        ...(fields.sessionId !== undefined && { session_id: fields.sessionId }),
        ...(fields.baseKey !== undefined && { base_key: fields.baseKey }),
        ...(fields.projectId !== undefined && { project_id: fields.projectId }),
      });
    },
    /** Forgets a group and its file rows (after its files were deleted). */
    async removeGroup(groupId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx('upload_files').where({ group_id: groupId }).delete();
        await tx('upload_groups').where({ id: groupId }).delete();
      });
    },
  };
}
/** The uploads repository. */
export type UploadsRepo = ReturnType<typeof createUploadsRepo>;
