import type { Knex } from 'knex';
import type { EditKind, EditTarget } from '../domain/edit-kind';
import { newId } from '../domain/ids';
import { nowIso } from './clock';

/** One metadata edit, as requested and as it ends. */
export interface SessionEdit {
  id: string;
  kind: EditKind;
  sessionId: string | null;
  subjectId: string | null;
  projectId: string;
  target: EditTarget;
  scriptId: number | null;
  /** The lookup table versions pinned with the script (site, project); null when none. */
  lookupSiteId: number | null;
  lookupProjectId: number | null;
  /** The destination's PS3.15 profile setting the re-pass applies before the script (a move only); null when none. */
  profileId: number | null;
  status: 'RUNNING' | 'DONE' | 'FAILED';
  workflowId: string;
  error: string | null;
}

/** A file version an edit's re-pass produced, for one instance. */
export interface EditedVersion {
  instanceId: string;
  objectKey: string;
  sha256: string;
  size: number;
  producedByPassId: string | null;
}

/** A session's place after the edit, by ids and labels. */
export interface SessionMove {
  sessionId: string;
  projectId: string;
  subjectLabel: string;
  sessionLabel: string;
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- mapped field by field */
const toEdit = (r: any): SessionEdit => ({
  id: r.id,
  kind: r.kind,
  sessionId: r.session_id,
  subjectId: r.subject_id,
  projectId: r.project_id,
  target: JSON.parse(r.target),
  scriptId: r.script_id,
  lookupSiteId: r.lookup_site_id ?? null,
  lookupProjectId: r.lookup_project_id ?? null,
  profileId: r.profile_id ?? null,
  status: r.status,
  workflowId: r.workflow_id,
  error: r.error,
});

/** Metadata edits: the request, the one-transaction catalog change, and the purge of superseded versions. */
export function createEditsRepo(db: Knex) {
  return {
    async create(e: { kind: EditKind; sessionId?: string; subjectId?: string; projectId: string; target: EditTarget; workflowId: string }): Promise<SessionEdit> {
      const id = newId('edit');
      const now = nowIso();
      await db('session_edits').insert({
        id,
        kind: e.kind,
        session_id: e.sessionId ?? null,
        subject_id: e.subjectId ?? null,
        project_id: e.projectId,
        target: JSON.stringify(e.target),
        status: 'RUNNING',
        workflow_id: e.workflowId,
        created_at: now,
        updated_at: now,
      });
      return (await this.get(id))!;
    },
    async get(id: string): Promise<SessionEdit | undefined> {
      const r = await db('session_edits').where({ id }).first();
      return r ? toEdit(r) : undefined;
    },
    /** Pins the script version the re-pass uses (null: labels only). */
    async pinScript(id: string, scriptId: number | null, lookup: { siteId: number | null; projectId: number | null } = { siteId: null, projectId: null }, profileId: number | null = null): Promise<void> {
      await db('session_edits').where({ id }).update({ script_id: scriptId, lookup_site_id: lookup.siteId, lookup_project_id: lookup.projectId, profile_id: profileId, updated_at: nowIso() });
    },
    /** Marks a running edit FAILED with its reason; a DONE edit stays DONE. */
    async fail(id: string, error: string): Promise<void> {
      await db('session_edits').where({ id, status: 'RUNNING' }).update({ status: 'FAILED', error, updated_at: nowIso() });
    },
    /** Marks FAILED the running edits of a workflow that ended without finishing them; returns their ids. */
    async failRunningOf(workflowId: string, error: string): Promise<string[]> {
      const ids = (await db('session_edits').where({ workflow_id: workflowId, status: 'RUNNING' }).select('id')).map((r: { id: string }) => r.id);
      for (const id of ids) await this.fail(id, error);
      return ids;
    },
    /** Makes a FAILED edit RUNNING again, for a retry once its cause is fixed; false when it was not FAILED. */
    async restart(id: string): Promise<boolean> {
      return (await db('session_edits').where({ id, status: 'FAILED' }).update({ status: 'RUNNING', error: null, updated_at: nowIso() })) > 0;
    },
    /** The sessions of a subject, by id. */
    async sessionIdsOfSubject(subjectId: string): Promise<string[]> {
      return (await db('sessions').where({ subject_id: subjectId }).orderBy('id').select('id')).map((r) => r.id as string);
    },

    /**
     * The edit's catalog change, in one transaction: labels, project or subject, the new file versions the re-pass
     * produced (the old ones kept, marked superseded by this edit), the edit DONE and the audit events. Either all
     * of it is visible or none. Returns false when the edit was already applied (an activity retry).
     */
    async apply(args: {
      editId: string;
      subjectRename?: { subjectId: string; label: string };
      moves: SessionMove[];
      versions: EditedVersion[];
      workflowId: string | null;
      runId: string | null;
    }): Promise<boolean> {
      return db.transaction(async (tx) => {
        const edit = await tx('session_edits').where({ id: args.editId }).forUpdate().first();
        if (!edit || edit.status === 'DONE') return false;
        const now = nowIso();
        if (args.subjectRename) await tx('subjects').where({ id: args.subjectRename.subjectId }).update({ label: args.subjectRename.label });
        for (const m of args.moves) {
          let subject = await tx('subjects').where({ project_id: m.projectId, label: m.subjectLabel }).first();
          if (!subject) {
            subject = { id: newId('subj'), project_id: m.projectId, label: m.subjectLabel, created_at: now };
            await tx('subjects').insert(subject);
          }
          await tx('sessions').where({ id: m.sessionId }).update({ project_id: m.projectId, subject_id: subject.id, label: m.sessionLabel, updated_at: now });
        }
        for (const v of args.versions) {
          const instance = await tx('instances').where({ id: v.instanceId }).first();
          if (!instance || instance.content_sha256 === v.sha256) continue;
          const versionId = newId('fv');
          await tx('file_versions').insert({ id: versionId, instance_id: v.instanceId, object_key: v.objectKey, sha256: v.sha256, size: v.size, produced_by_pass_id: v.producedByPassId, created_at: now });
          await tx('file_versions').where({ id: instance.current_version_id }).update({ superseded_at: now, superseded_by_edit: args.editId });
          await tx('instances').where({ id: v.instanceId }).update({ current_version_id: versionId, content_sha256: v.sha256 });
        }
        await tx('session_edits').where({ id: args.editId }).update({ status: 'DONE', error: null, updated_at: now });
        for (const m of args.moves) {
          await tx('audit_events').insert({
            at: now,
            actor: 'system',
            action: 'session.edited',
            project_id: m.projectId,
            session_id: m.sessionId,
            workflow_id: args.workflowId,
            run_id: args.runId,
            detail: JSON.stringify({ editId: args.editId, kind: edit.kind, files: args.versions.length }),
          });
        }
        return true;
      });
    },

    /** The superseded versions of an edit that are not purged yet. */
    async supersededBy(editId: string): Promise<{ id: string; objectKey: string }[]> {
      return (await db('file_versions').where({ superseded_by_edit: editId }).whereNull('purged_at').select('id', 'object_key')).map((r) => ({ id: r.id, objectKey: r.object_key }));
    },
    /** How many versions an edit superseded (purged or not): the file count of an applied edit. */
    async supersededCount(editId: string): Promise<number> {
      const [{ n }] = await db('file_versions').where({ superseded_by_edit: editId }).count({ n: '*' });
      return Number(n);
    },
    /** Marks versions purged (their files are gone). */
    async markPurged(versionIds: string[]): Promise<void> {
      if (versionIds.length) await db('file_versions').whereIn('id', versionIds).update({ purged_at: nowIso() });
    },
  };
}
/** The edits repository. */
export type EditsRepo = ReturnType<typeof createEditsRepo>;
