import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';
import { createRepositories, type Repositories } from '../../src/db/repositories';
import { startPostgres } from '../support/postgres';

// The prearchive lock, the session locks and the edit transaction, on both databases the service supports.
const DATABASES: { name: string; open(): Promise<{ db: Knex; close(): Promise<void> }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dicom-intake-db-'));
      const db = connectDatabase({ client: 'sqlite3', filename: join(dir, 'db.sqlite') });
      return { db, close: async () => (await db.destroy(), await rm(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const pg = await startPostgres();
      const db = connectDatabase({ client: 'pg', connection: pg.url });
      return { db, close: async () => (await db.destroy(), await pg.stop()) };
    },
  },
];

describe.each(DATABASES)('Prearchive and edit repositories on $name', ({ open }) => {
  let opened: { db: Knex; close(): Promise<void> };
  let repos: Repositories;
  beforeAll(async () => {
    opened = await open();
    await migrateLatest(opened.db);
    repos = createRepositories(opened.db);
    await repos.projects.upsert({ id: 'PR' });
  }, 120_000);
  afterAll(async () => opened?.close());

  it('When two workflows claim one prearchive session, then only the first holds it, a retry of the first still does, and only it can release', async () => {
    const pre = await repos.prearchive.create({ projectId: 'PR', timestamp: '20260101_000000000', folder: 'E', subjectLabel: 'S', uploadId: 'up', groupId: 'g' });
    const from = ['READY', 'CONFLICT'] as const;
    expect(await repos.prearchive.claim(pre.id, { owner: 'wf-a', from: [...from], to: 'QUEUED_ARCHIVING' })).toMatchObject({ held: true, session: { status: 'QUEUED_ARCHIVING', lockedBy: 'wf-a' } });
    expect(await repos.prearchive.claim(pre.id, { owner: 'wf-b', from: ['READY'], to: 'QUEUED_DELETING' })).toMatchObject({ held: false, session: { status: 'QUEUED_ARCHIVING', lockedBy: 'wf-a' } });
    expect((await repos.prearchive.claim(pre.id, { owner: 'wf-a', from: [...from], to: 'QUEUED_ARCHIVING' })).held).toBe(true);
    await repos.prearchive.advance(pre.id, 'wf-b', 'DELETING');
    await repos.prearchive.advance(pre.id, 'wf-a', 'ARCHIVING');
    await repos.prearchive.release(pre.id, 'wf-b', { status: 'READY' });
    expect(await repos.prearchive.get(pre.id)).toMatchObject({ status: 'ARCHIVING', lockedBy: 'wf-a' });
    await repos.prearchive.release(pre.id, 'wf-a', { status: 'CONFLICT', reason: 'SessionConflictError: x' });
    expect(await repos.prearchive.get(pre.id)).toMatchObject({ status: 'CONFLICT', lockedBy: null, reason: 'SessionConflictError: x' });
    // A status that does not allow the operation is not claimed, even when nobody holds the session.
    expect((await repos.prearchive.claim(pre.id, { owner: 'wf-c', from: ['READY'], to: 'QUEUED_MOVING' })).held).toBe(false);
  });

  it('When a workflow holds session locks, then another is refused with the holder\'s id until they are released; all or none', async () => {
    expect(await repos.sessionLocks.acquire(['s1', 's2'], 'wf-a')).toEqual({ ok: true });
    expect(await repos.sessionLocks.acquire(['s3', 's2'], 'wf-b')).toEqual({ ok: false, heldBy: 'wf-a', sessionId: 's2', since: expect.any(String) });
    expect(await repos.sessionLocks.holder('s3')).toBeUndefined();
    expect(await repos.sessionLocks.acquire(['s1'], 'wf-a')).toEqual({ ok: true });
    await repos.sessionLocks.releaseAll('wf-a');
    expect(await repos.sessionLocks.acquire(['s3', 's2'], 'wf-b')).toEqual({ ok: true });
    await repos.sessionLocks.releaseAll('wf-b');
  });

  it('When a lock is taken over, then only with the stamp its holder last took it at: a holder that took it again meanwhile keeps it', async () => {
    expect(await repos.sessionLocks.acquire(['t1'], 'wf-old')).toEqual({ ok: true });
    const refused = await repos.sessionLocks.acquire(['t1'], 'wf-new');
    if (refused.ok) throw new Error('expected a refusal');
    await new Promise((r) => setTimeout(r, 5)); // a later stamp
    expect(await repos.sessionLocks.acquire(['t1'], 'wf-old')).toEqual({ ok: true }); // a retry of the holder re-stamps
    expect(await repos.sessionLocks.takeOver('t1', 'wf-old', refused.since, 'wf-new')).toBe(false);
    expect(await repos.sessionLocks.holder('t1')).toBe('wf-old');
    const again = await repos.sessionLocks.acquire(['t1'], 'wf-new');
    if (again.ok) throw new Error('expected a refusal');
    expect(await repos.sessionLocks.takeOver('t1', 'wf-old', again.since, 'wf-new')).toBe(true);
    expect(await repos.sessionLocks.holder('t1')).toBe('wf-new');
    await repos.sessionLocks.releaseAll('wf-new');
  });

  it('When an edit is applied, then labels, versions, status and audit change together, the old version is kept as superseded, and a second apply changes nothing', async () => {
    const { sessionId } = await repos.archive.commitSession({ projectId: 'PR', subjectLabel: 'SUBJ', sessionLabel: 'SESS', studyUidHash: 'st', entries: [{ scanLabel: '1', seriesUidHash: 'se', sopUidHash: 'sop', objectKey: 'archive/PR/SUBJ/SESS/scans/1/a.dcm', sha256: 'a'.repeat(64), size: 10, producedByPassId: null }] });
    const [inst] = await repos.archive.instances(sessionId);
    const edit = await repos.edits.create({ kind: 'session-relabel', sessionId, projectId: 'PR', target: { sessionLabel: 'SESS2' }, workflowId: 'wf-e' });
    const args = {
      editId: edit.id,
      moves: [{ sessionId, projectId: 'PR', subjectLabel: 'SUBJ', sessionLabel: 'SESS2' }],
      versions: [{ instanceId: inst.id, objectKey: 'archive/PR/SUBJ/SESS2/scans/1/b.dcm', sha256: 'b'.repeat(64), size: 11, producedByPassId: null }],
      workflowId: 'wf-e',
      runId: 'run',
    };
    expect(await repos.edits.apply(args)).toBe(true);
    expect(await repos.archive.session(sessionId)).toMatchObject({ label: 'SESS2', subjectLabel: 'SUBJ' });
    expect(await repos.archive.instances(sessionId)).toMatchObject([{ objectKey: 'archive/PR/SUBJ/SESS2/scans/1/b.dcm', contentSha256: 'b'.repeat(64) }]);
    expect(await repos.edits.supersededBy(edit.id)).toMatchObject([{ objectKey: 'archive/PR/SUBJ/SESS/scans/1/a.dcm' }]);
    expect(await repos.edits.get(edit.id)).toMatchObject({ status: 'DONE' });
    expect(await repos.edits.apply(args)).toBe(false);
    expect((await repos.audit.forSession(sessionId)).map((e) => e.action)).toEqual(['session.edited']);
    expect(await repos.edits.supersededCount(edit.id)).toBe(1);
  });

  it('When a RECEIVING study is cut for a delete, then its recorded files go with it, a file recorded before the cut cannot bring its row back, a file recorded after makes a new row, and a retry of the cut claims nothing newer', async () => {
    const key = 'k'.repeat(64);
    const file = (id: string) => repos.receivedFiles.add({ id, receiverId: 'rx', studyKey: key, objectKey: `staging/rx/${id}.dcm`, sha256: 'c'.repeat(64), size: 1 });
    const ensure = () => repos.prearchive.ensureReceiving({ studyKey: key, projectId: 'PR', timestamp: '20261130_000000000' });
    // No unsealed file, no row.
    expect(await ensure()).toBeUndefined();
    await file('rx_1');
    const row = (await ensure())!;
    expect(row).toMatchObject({ status: 'RECEIVING', studyKey: key, projectId: 'PR', subjectLabel: null, folder: `receiving_${key.slice(0, 16)}` });
    expect((await ensure())!.id).toBe(row.id);
    await file('rx_2'); // recorded before the cut; its ensureReceiving runs after it

    expect(await repos.prearchive.cutReceiving(key, 'discard_a')).toEqual({ prearchiveId: row.id, projectId: 'PR' });
    expect(await repos.prearchive.get(row.id)).toMatchObject({ status: 'DELETING', studyKey: null, lockedBy: 'discard_a' });
    expect(await ensure()).toBeUndefined();
    expect((await repos.receivedFiles.byUpload('discard_a')).map((f) => f.id).sort()).toEqual(['rx_1', 'rx_2']);

    await file('rx_3'); // after the cut: a new study
    expect(await repos.prearchive.cutReceiving(key, 'discard_a')).toEqual({ prearchiveId: row.id, projectId: 'PR' });
    expect(await repos.receivedFiles.byUpload('discard_a')).toHaveLength(2);
    const fresh = (await ensure())!;
    expect(fresh.id).not.toBe(row.id);
    expect(fresh).toMatchObject({ status: 'RECEIVING', studyKey: key });
    expect(await repos.receivedFiles.unsealed(key)).toBe(1);
    await repos.receivedFiles.removeByUpload('discard_a');
    expect(await repos.receivedFiles.byUpload('discard_a')).toEqual([]);
    expect(await repos.receivedFiles.unsealed(key)).toBe(1);
  });
});
