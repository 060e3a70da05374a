import type { Knex } from 'knex';
import { nowIso } from './clock';

/** One audit event: who did what to which upload/session, under which workflow run. Details hold ids and counts only. */
export interface AuditEvent {
  actor: string;
  action: string;
  projectId?: string | null;
  sessionId?: string | null;
  uploadId?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  detail?: Record<string, unknown>;
}

/** The audit trail. */
export function createAuditRepo(db: Knex) {
  return {
    async append(e: AuditEvent): Promise<void> {
      await db('audit_events').insert({
        at: nowIso(),
        actor: e.actor,
        action: e.action,
        project_id: e.projectId ?? null,
        session_id: e.sessionId ?? null,
        upload_id: e.uploadId ?? null,
        workflow_id: e.workflowId ?? null,
        run_id: e.runId ?? null,
        detail: JSON.stringify(e.detail ?? {}),
      });
    },
    /** The events of one upload, oldest first. */
    async forUpload(uploadId: string): Promise<(AuditEvent & { at: string })[]> {
      const rows = await db('audit_events').where({ upload_id: uploadId }).orderBy('id');
      return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, uploadId: r.upload_id, workflowId: r.workflow_id, runId: r.run_id, detail: JSON.parse(r.detail) }));
    },
    /** Appends the event unless this workflow run already recorded the same action on the same session (an activity retry). */
    async appendOnce(e: AuditEvent): Promise<void> {
      const seen = await db('audit_events').where({ action: e.action, session_id: e.sessionId ?? null, workflow_id: e.workflowId ?? null, run_id: e.runId ?? null }).first();
      if (!seen) await this.append(e);
    },
    async forSession(sessionId: string): Promise<(AuditEvent & { at: string })[]> {
      const rows = await db('audit_events').where({ session_id: sessionId }).orderBy('id');
      return rows.map((r) => ({
        at: r.at,
        actor: r.actor,
        action: r.action,
        projectId: r.project_id,
        sessionId: r.session_id,
        uploadId: r.upload_id,
        workflowId: r.workflow_id,
        runId: r.run_id,
        detail: JSON.parse(r.detail),
      }));
    },
  };
}
/** The audit repository. */
export type AuditRepo = ReturnType<typeof createAuditRepo>;
