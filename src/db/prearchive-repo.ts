import type { Knex } from 'knex';
import { newId } from '../domain/ids';
import type { PrearchiveStatus } from '../domain/prearchive-status';
import { nowIso } from './clock';

/** One prearchive session (XNAT's prearchive row). Labels are post-site-pass values. */
export interface PrearchiveSession {
  id: string;
  projectId: string | null;
  timestamp: string;
  folder: string;
  subjectLabel: string | null;
  status: PrearchiveStatus;
  uploadId: string | null;
  groupId: string | null;
  reason: string | null;
  source: string | null;
  preventAnon: boolean;
  /** Set on the RECEIVING row of a study still being received (C-STORE, gradual-DICOM): its hashed study key. */
  studyKey: string | null;
  /** Workflow id of the operation holding the session (QUEUED_* or running), else null. */
  lockedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- mapped field by field */
const toSession = (r: any): PrearchiveSession => ({
  id: r.id,
  projectId: r.project_id,
  timestamp: r.timestamp,
  folder: r.folder,
  subjectLabel: r.subject_label,
  status: r.status,
  uploadId: r.upload_id,
  groupId: r.group_id,
  reason: r.reason,
  source: r.source,
  preventAnon: Boolean(r.prevent_anon),
  studyKey: r.study_key ?? null,
  lockedBy: r.locked_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The folder name of a RECEIVING row: opaque (a prefix of the hashed study key), never a header value. */
export const receivingFolder = (studyKey: string) => `receiving_${studyKey.slice(0, 16)}`;

/** The prearchive table. Unassigned sessions have project_id null. */
export function createPrearchiveRepo(db: Knex) {
  const get = async (id: string): Promise<PrearchiveSession | undefined> => {
    const r = await db('prearchive_sessions').where({ id }).first();
    return r ? toSession(r) : undefined;
  };
  const insert = async (row: Record<string, unknown>): Promise<PrearchiveSession> => {
    const now = nowIso();
    const id = newId('pre');
    await db('prearchive_sessions').insert({ ...row, id, created_at: now, updated_at: now });
    return (await get(id))!;
  };
  return {
    async byGroup(groupId: string): Promise<PrearchiveSession | undefined> {
      const r = await db('prearchive_sessions').where({ group_id: groupId }).first();
      return r ? toSession(r) : undefined;
    },
    get,
    /** Finds a session by its XNAT address: project (or "Unassigned"), timestamp and folder. */
    async byAddress(project: string, timestamp: string, folder: string): Promise<PrearchiveSession | undefined> {
      const q = db('prearchive_sessions').where({ timestamp, folder });
      if (project === 'Unassigned') q.whereNull('project_id');
      else q.where({ project_id: project });
      const r = await q.first();
      return r ? toSession(r) : undefined;
    },
    async list(project?: string): Promise<PrearchiveSession[]> {
      const q = db('prearchive_sessions').orderBy([{ column: 'project_id' }, { column: 'timestamp', order: 'desc' }]);
      if (project === 'Unassigned') q.whereNull('project_id');
      else if (project) q.where({ project_id: project });
      return (await q).map(toSession);
    },
    /** Records a session, READY unless `status` (and `reason`) say otherwise (a failed direct archive is ERROR). */
    async create(s: { projectId: string | null; timestamp: string; folder: string; subjectLabel: string; uploadId: string; groupId: string; source?: string; preventAnon?: boolean; status?: PrearchiveStatus; reason?: string }): Promise<PrearchiveSession> {
      return insert({ project_id: s.projectId, timestamp: s.timestamp, folder: s.folder, subject_label: s.subjectLabel, status: s.status ?? 'READY', reason: s.reason ?? null, upload_id: s.uploadId, group_id: s.groupId, source: s.source ?? null, prevent_anon: s.preventAnon ?? false });
    },
    /**
     * The RECEIVING row of a study whose files are still arriving: made by the front door when it records a file
     * (if the study has none), with an opaque folder name and no subject, because nothing of the headers may name
     * a row before the site pass. Idempotent per study key. The row is made only while the study has a file not
     * sealed yet, in one statement: a file recorded just before its study was deleted (so deleted with it) cannot
     * bring back a row with nothing behind it; a file recorded after the delete makes a new row (a new study).
     */
    async ensureReceiving(s: { studyKey: string; projectId: string | null; timestamp: string; source?: string }): Promise<PrearchiveSession | undefined> {
      const existing = await db('prearchive_sessions').where({ study_key: s.studyKey }).first();
      if (existing) return toSession(existing);
      const id = newId('pre');
      const now = nowIso();
      const row: [string, string | null][] = [['id', id], ['project_id', s.projectId], ['timestamp', s.timestamp], ['folder', receivingFolder(s.studyKey)], ['status', 'RECEIVING'], ['study_key', s.studyKey], ['source', s.source ?? null], ['created_at', now], ['updated_at', now]];
      const columns = row.map(([c]) => c);
      // CAST: PostgreSQL types the parameters of a bare SELECT as text; the columns are all strings.
      const values = db.select(db.raw(row.map(() => 'CAST(? AS VARCHAR(255))').join(', '), row.map(([, v]) => v)));
      await db
        .into(db.raw(`?? (${columns.map(() => '??').join(', ')})`, ['prearchive_sessions', ...columns]))
        .insert(
          values
            .whereExists(db('received_files').where({ study_key: s.studyKey }).whereNull('upload_id').select(db.raw('1')))
            .whereNotExists(db('prearchive_sessions').where({ study_key: s.studyKey }).select(db.raw('1'))),
        );
      const made = await db('prearchive_sessions').where({ study_key: s.studyKey }).first();
      return made ? toSession(made) : undefined;
    },
    /**
     * The cut-off of the delete of a RECEIVING study, in one transaction: its files not sealed yet are given to
     * `discardId` (they go with the study), and its row becomes DELETING, held by `discardId` and detached from the
     * study key. A file recorded after this is unsealed again, so it makes a new RECEIVING row and a new study. A
     * retry with the same id finds the cut made and claims nothing newer. Returns the row's id (if it had one).
     */
    async cutReceiving(studyKey: string, discardId: string): Promise<{ prearchiveId: string | null; projectId: string | null }> {
      return db.transaction(async (tx) => {
        const done = await tx('prearchive_sessions').where({ locked_by: discardId }).first();
        if (done) return { prearchiveId: done.id as string, projectId: done.project_id as string | null };
        if (await tx('received_files').where({ upload_id: discardId }).first()) return { prearchiveId: null, projectId: null };
        await tx('received_files').where({ study_key: studyKey }).whereNull('upload_id').update({ upload_id: discardId });
        const row = await tx('prearchive_sessions').where({ study_key: studyKey }).first();
        if (!row) return { prearchiveId: null, projectId: null };
        await tx('prearchive_sessions').where({ id: row.id }).update({ status: 'DELETING', study_key: null, locked_by: discardId, updated_at: nowIso() });
        return { prearchiveId: row.id as string, projectId: row.project_id as string | null };
      });
    },
    /** The RECEIVING (or BUILDING) row of a study, if any. */
    async byStudyKey(studyKey: string): Promise<PrearchiveSession | undefined> {
      const r = await db('prearchive_sessions').where({ study_key: studyKey }).first();
      return r ? toSession(r) : undefined;
    },
    /** Sets the status of a study's receiving row (BUILDING while its files are imported). */
    async setReceivingStatus(studyKey: string, status: 'RECEIVING' | 'BUILDING'): Promise<void> {
      await db('prearchive_sessions').where({ study_key: studyKey }).update({ status, updated_at: nowIso() });
    },
    /**
     * After a study's files were imported: its receiving row goes back to RECEIVING when more files arrived
     * meanwhile, and goes away otherwise (the imported sessions have rows of their own). One statement each, so a
     * file recorded at the same moment either keeps the row or makes a new one.
     */
    async settleReceiving(studyKey: string): Promise<void> {
      const unsealed = db('received_files').where({ study_key: studyKey }).whereNull('upload_id').select(db.raw('1'));
      await db('prearchive_sessions').where({ study_key: studyKey }).whereNotExists(unsealed).delete();
      await db('prearchive_sessions').where({ study_key: studyKey }).whereExists(unsealed).update({ status: 'RECEIVING', updated_at: nowIso() });
    },
    async update(id: string, fields: { status?: PrearchiveStatus; reason?: string | null; projectId?: string | null }): Promise<void> {
      await db('prearchive_sessions').where({ id }).update({
        updated_at: nowIso(),
        ...(fields.status !== undefined && { status: fields.status }),
        ...(fields.reason !== undefined && { reason: fields.reason }),
        ...(fields.projectId !== undefined && { project_id: fields.projectId }),
      });
    },
    /**
     * The lock of a prearchive session, as one compare-and-set: moves the session from one of `from` to `to` and
     * records `owner`, unless another owner holds it. The same owner asking again (an activity retry) succeeds
     * without change. Returns the session as it is after the call, and whether the owner holds it.
     */
    async claim(id: string, args: { owner: string; from: PrearchiveStatus[]; to: PrearchiveStatus }): Promise<{ held: boolean; session: PrearchiveSession | undefined }> {
      return db.transaction(async (tx) => {
        const r = await tx('prearchive_sessions').where({ id }).forUpdate().first();
        if (!r) return { held: false, session: undefined };
        if (r.locked_by === args.owner) return { held: true, session: toSession(r) };
        if (r.locked_by || !args.from.includes(r.status)) return { held: false, session: toSession(r) };
        await tx('prearchive_sessions').where({ id }).update({ status: args.to, locked_by: args.owner, updated_at: nowIso() });
        return { held: true, session: toSession({ ...r, status: args.to, locked_by: args.owner }) };
      });
    },
    /** Changes the status of a session held by `owner` (QUEUED_* to running); does nothing for another owner. */
    async advance(id: string, owner: string, status: PrearchiveStatus): Promise<void> {
      await db('prearchive_sessions').where({ id, locked_by: owner }).update({ status, updated_at: nowIso() });
    },
    /** Ends an operation: sets the final status (and reason) and frees the lock, if `owner` holds it. */
    async release(id: string, owner: string, fields: { status: PrearchiveStatus; reason?: string | null }): Promise<void> {
      await db('prearchive_sessions').where({ id, locked_by: owner }).update({ status: fields.status, reason: fields.reason ?? null, locked_by: null, updated_at: nowIso() });
    },
    /** Ends the claim `owner` holds on a session whose workflow has ended: ERROR with the reason, lock freed. */
    async freeClaim(id: string, owner: string, reason: string): Promise<boolean> {
      return (await db('prearchive_sessions').where({ id, locked_by: owner }).update({ status: 'ERROR', reason, locked_by: null, updated_at: nowIso() })) === 1;
    },
    async remove(id: string): Promise<void> {
      await db('prearchive_sessions').where({ id }).delete();
    },
  };
}
/** The prearchive repository. */
export type PrearchiveRepo = ReturnType<typeof createPrearchiveRepo>;
