import type { Knex } from 'knex';
import { newId } from '../domain/ids';
import { nowIso } from './clock';

/** The key of one pass: the same key means the same output, so the pass is done once. */
export interface PassKey {
  kind: 'site' | 'project';
  scriptSha256: string;
  inputSha256: string;
  contextSha256: string;
}

/** One recorded anonymization pass. */
export interface PassRecord extends PassKey {
  id: string;
  scriptId: number;
  outputSha256: string | null;
  rejected: boolean;
  uploadId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  runId: string | null;
  /** Who ran the script: the server, or the upload client on the user's machine (verified from the file). */
  performedBy: PassPerformer;
}

/** Who ran a pass. */
export type PassPerformer = 'server' | 'client';

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- mapped field by field */
const toPass = (r: any): PassRecord => ({
  id: r.id,
  kind: r.kind,
  scriptId: r.script_id,
  scriptSha256: r.script_sha256,
  inputSha256: r.input_sha256,
  contextSha256: r.context_sha256,
  outputSha256: r.output_sha256,
  rejected: Boolean(r.rejected),
  uploadId: r.upload_id,
  sessionId: r.session_id,
  workflowId: r.workflow_id,
  runId: r.run_id,
  performedBy: r.performed_by ?? 'server',
});

/** Anonymization passes: the record that makes every pass happen exactly once. */
export function createPassesRepo(db: Knex) {
  const keyWhere = (k: PassKey) => ({
    kind: k.kind,
    script_sha256: k.scriptSha256,
    input_sha256: k.inputSha256,
    context_sha256: k.contextSha256,
  });
  return {
    async find(key: PassKey): Promise<PassRecord | undefined> {
      const row = await db('anonymization_passes').where(keyWhere(key)).first();
      return row ? toPass(row) : undefined;
    },
    /** Records a pass; when another attempt recorded the same key first, returns that record instead. */
    async record(p: Omit<PassRecord, 'id' | 'performedBy'> & { performedBy?: PassPerformer }): Promise<PassRecord> {
      await db('anonymization_passes')
        .insert({
          id: newId('pass'),
          ...keyWhere(p),
          script_id: p.scriptId,
          output_sha256: p.outputSha256,
          rejected: p.rejected,
          upload_id: p.uploadId,
          session_id: p.sessionId,
          workflow_id: p.workflowId,
          run_id: p.runId,
          performed_by: p.performedBy ?? 'server',
          created_at: nowIso(),
        })
        .onConflict(['kind', 'script_sha256', 'input_sha256', 'context_sha256'])
        .ignore();
      return (await this.find(p))!;
    },
    /** The pass that produced a file with this digest, if any. */
    async byOutput(kind: 'site' | 'project', outputSha256: string, performedBy?: PassPerformer): Promise<PassRecord | undefined> {
      const row = await db('anonymization_passes').where({ kind, output_sha256: outputSha256, ...(performedBy && { performed_by: performedBy }) }).first();
      return row ? toPass(row) : undefined;
    },
    async byId(id: string): Promise<PassRecord | undefined> {
      const row = await db('anonymization_passes').where({ id }).first();
      return row ? toPass(row) : undefined;
    },
    async count(where: { kind?: 'site' | 'project'; uploadId?: string; performedBy?: PassPerformer } = {}): Promise<number> {
      const q = db('anonymization_passes');
      if (where.kind) q.where({ kind: where.kind });
      if (where.uploadId) q.where({ upload_id: where.uploadId });
      if (where.performedBy) q.where({ performed_by: where.performedBy });
      const [{ n }] = await q.count({ n: '*' });
      return Number(n);
    },
  };
}
/** The passes repository. */
export type PassesRepo = ReturnType<typeof createPassesRepo>;
