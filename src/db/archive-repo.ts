import type { Knex } from 'knex';
import { newId } from '../domain/ids';
import { nowIso } from './clock';

/** An archived session with its project and subject labels. */
export interface ArchivedSession {
  id: string;
  projectId: string;
  subjectId: string;
  subjectLabel: string;
  label: string;
  studyUidHash: string;
}

/** One archived instance and its current file. */
export interface ArchivedInstance {
  id: string;
  sessionId: string;
  scanId: string;
  scanLabel: string;
  sopUidHash: string;
  contentSha256: string;
  objectKey: string;
  size: number;
}

/** The instance a commit adds or replaces. */
export interface CatalogEntry {
  scanLabel: string;
  seriesUidHash: string;
  sopUidHash: string;
  objectKey: string;
  sha256: string;
  size: number;
  producedByPassId: string | null;
}

/** Subjects, sessions, scans, instances and file versions: the archive catalog. */
export function createArchiveRepo(db: Knex) {
  const sessionQuery = (q: Knex | Knex.Transaction) =>
    q('sessions')
      .join('subjects', 'subjects.id', 'sessions.subject_id')
      .select(
        'sessions.id as id',
        'sessions.project_id as projectId',
        'sessions.subject_id as subjectId',
        'subjects.label as subjectLabel',
        'sessions.label as label',
        'sessions.study_uid_hash as studyUidHash',
      );
  const instanceQuery = (q: Knex | Knex.Transaction) =>
    q('instances')
      .join('scans', 'scans.id', 'instances.scan_id')
      .join('file_versions', 'file_versions.id', 'instances.current_version_id')
      .select(
        'instances.id as id',
        'instances.session_id as sessionId',
        'instances.scan_id as scanId',
        'scans.label as scanLabel',
        'instances.sop_uid_hash as sopUidHash',
        'instances.content_sha256 as contentSha256',
        'file_versions.object_key as objectKey',
        'file_versions.size as size',
      );
  return {
    async sessionByLabel(projectId: string, label: string): Promise<ArchivedSession | undefined> {
      return sessionQuery(db).where({ 'sessions.project_id': projectId, 'sessions.label': label }).first();
    },
    async subjectByLabel(projectId: string, label: string): Promise<{ id: string; projectId: string; label: string } | undefined> {
      return db('subjects').where({ project_id: projectId, label }).select('id', 'project_id as projectId', 'label').first();
    },
    async session(id: string): Promise<ArchivedSession | undefined> {
      return sessionQuery(db).where({ 'sessions.id': id }).first();
    },
    async sessions(projectId?: string): Promise<ArchivedSession[]> {
      const q = sessionQuery(db).orderBy(['sessions.project_id', 'sessions.label']);
      return projectId ? q.where({ 'sessions.project_id': projectId }) : q;
    },
    async instances(sessionId: string): Promise<ArchivedInstance[]> {
      const rows = await instanceQuery(db).where({ 'instances.session_id': sessionId }).orderBy(['scans.label', 'instances.sop_uid_hash']);
      return rows.map((r: ArchivedInstance) => ({ ...r, size: Number(r.size) }));
    },
    /**
     * Writes one session's catalog in one transaction: subject and session (created when missing), scans,
     * instances and their new file versions. Entries whose instance already has the same content are left alone,
     * so a repeated commit changes nothing.
     */
    async commitSession(args: {
      projectId: string;
      subjectLabel: string;
      sessionLabel: string;
      studyUidHash: string;
      entries: CatalogEntry[];
      /** overwrite=delete: instances of the session that are not among `entries` leave the catalog. */
      removeOthers?: boolean;
    }): Promise<{ sessionId: string; added: number; replaced: number; unchanged: number; removedKeys?: string[] }> {
      return db.transaction(async (tx) => {
        // One commit per project at a time. Without it, on PostgreSQL two commits of the same new session both
        // find no subject and one fails on the unique key; SQLite already serializes (one connection, no-op here).
        await tx('projects').where({ id: args.projectId }).forUpdate().first();
        const now = nowIso();
        let subject = await tx('subjects').where({ project_id: args.projectId, label: args.subjectLabel }).first();
        if (!subject) {
          subject = { id: newId('subj'), project_id: args.projectId, label: args.subjectLabel, created_at: now };
          await tx('subjects').insert(subject);
        }
        let session = await tx('sessions').where({ project_id: args.projectId, label: args.sessionLabel }).first();
        if (!session) {
          session = {
            id: newId('sess'),
            project_id: args.projectId,
            subject_id: subject.id,
            label: args.sessionLabel,
            study_uid_hash: args.studyUidHash,
            created_at: now,
            updated_at: now,
          };
          await tx('sessions').insert(session);
        }
        let added = 0;
        let replaced = 0;
        let unchanged = 0;
        for (const e of args.entries) {
          let scan = await tx('scans').where({ session_id: session.id, series_uid_hash: e.seriesUidHash }).first();
          if (!scan) {
            scan = { id: newId('scan'), session_id: session.id, label: e.scanLabel, series_uid_hash: e.seriesUidHash };
            await tx('scans').insert(scan);
          }
          const existing = await tx('instances').where({ session_id: session.id, sop_uid_hash: e.sopUidHash }).first();
          if (existing && existing.content_sha256 === e.sha256) {
            unchanged++;
            continue;
          }
          const instanceId = existing?.id ?? newId('inst');
          const versionId = newId('fv');
          await tx('file_versions').insert({
            id: versionId,
            instance_id: instanceId,
            object_key: e.objectKey,
            sha256: e.sha256,
            size: e.size,
            produced_by_pass_id: e.producedByPassId,
            created_at: now,
          });
          if (existing) {
            await tx('instances').where({ id: existing.id }).update({ current_version_id: versionId, content_sha256: e.sha256 });
            replaced++;
          } else {
            await tx('instances').insert({
              id: instanceId,
              session_id: session.id,
              scan_id: scan.id,
              sop_uid_hash: e.sopUidHash,
              current_version_id: versionId,
              content_sha256: e.sha256,
            });
            added++;
          }
        }
        const removedKeys: string[] = [];
        if (args.removeOthers) {
          const keep = new Set(args.entries.map((e) => e.sopUidHash));
          const others = (await instanceQuery(tx).where({ 'instances.session_id': session.id })).filter((i: ArchivedInstance) => !keep.has(i.sopUidHash));
          for (const o of others) {
            removedKeys.push(o.objectKey);
            await tx('file_versions').where({ instance_id: o.id }).update({ purged_at: now });
            await tx('instances').where({ id: o.id }).delete();
          }
        }
        await tx('sessions').where({ id: session.id }).update({ updated_at: now });
        return { sessionId: session.id as string, added, replaced, unchanged, ...(args.removeOthers && { removedKeys }) };
      });
    },
  };
}
/** The archive catalog repository. */
export type ArchiveRepo = ReturnType<typeof createArchiveRepo>;
