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
  /** Set when the pass was rolled back (its session failed to archive; its output is gone). */
  discardedAt: string | null;
  /** Digest of the lookup table versions the script read (null when it read none). */
  lookupSha256: string | null;
  /**
   * The profile setting version the pass applied before its script (null: no profile). A pass with a profile and
   * no script has scriptId 0; its key's scriptSha256 then digests the profile setting (pass-profile.ts).
   */
  profileId: number | null;
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
  discardedAt: r.discarded_at ?? null,
  lookupSha256: r.lookup_sha256 ?? null,
  profileId: r.profile_id ?? null,
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
    /**
     * Records a pass; when another attempt recorded the same key first, returns that record instead. A discarded
     * record of the same key is live again (the same script ran on the same file again, and this output stays).
     */
    async record(p: Omit<PassRecord, 'id' | 'performedBy' | 'discardedAt' | 'lookupSha256' | 'profileId'> & { performedBy?: PassPerformer; lookupSha256?: string | null; profileId?: number | null }): Promise<PassRecord> {
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
          lookup_sha256: p.lookupSha256 ?? null,
          profile_id: p.profileId ?? null,
          created_at: nowIso(),
        })
        .onConflict(['kind', 'script_sha256', 'input_sha256', 'context_sha256'])
        .merge({ discarded_at: null });
      return (await this.find(p))!;
    },
    /**
     * Marks the live project passes of these input digests discarded (their outputs were deleted when the session
     * failed to archive). A pass whose output a catalog file version names is kept live: an identical file of
     * another session may have been archived from the same record. Returns how many were marked.
     */
    async discardProjectPasses(inputSha256s: string[]): Promise<number> {
      if (!inputSha256s.length) return 0;
      return db('anonymization_passes')
        .where({ kind: 'project' })
        .whereIn('input_sha256', inputSha256s)
        .whereNull('discarded_at')
        .whereNotExists(db('file_versions').whereRaw('file_versions.produced_by_pass_id = anonymization_passes.id'))
        .update({ discarded_at: nowIso() });
    },
    /** The pass that produced a file with this digest, if any. */
    async byOutput(kind: 'site' | 'project', outputSha256: string, performedBy?: PassPerformer): Promise<PassRecord | undefined> {
      const row = await db('anonymization_passes').where({ kind, output_sha256: outputSha256, ...(performedBy && { performed_by: performedBy }) }).whereNull('discarded_at').first();
      return row ? toPass(row) : undefined;
    },
    async byId(id: string): Promise<PassRecord | undefined> {
      const row = await db('anonymization_passes').where({ id }).first();
      return row ? toPass(row) : undefined;
    },
    /** Counts live pass records (discarded ones are history, not passes a file carries). */
    async count(where: { kind?: 'site' | 'project'; uploadId?: string; performedBy?: PassPerformer } = {}): Promise<number> {
      const q = db('anonymization_passes').whereNull('discarded_at');
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
