import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';
import { createRepositories, type Repositories } from '../../src/db/repositories';
import type { CatalogEntry } from '../../src/db/archive-repo';
import { startPostgres } from '../support/postgres';

// Literal expectations use toMatchObject so that columns other engineers add do not break this file; values
// read back twice are compared whole with toEqual.
// The same suite on both databases the service supports, so SQLite-only SQL (or a driver difference such as
// PostgreSQL returning bigint and count() as strings) fails here rather than in production.

/** An open, empty database of one kind and how to throw it away. */
interface OpenDatabase {
  db: Knex;
  close(): Promise<void>;
}

const DATABASES: { name: string; open(): Promise<OpenDatabase> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dicom-intake-db-'));
      const db = connectDatabase({ client: 'sqlite3', filename: join(dir, 'db.sqlite') });
      return {
        db,
        close: async () => {
          await db.destroy();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    // Never skipped: when the cluster cannot start, beforeAll throws the script's message and the suite fails.
    open: async () => {
      const pg = await startPostgres();
      const db = connectDatabase({ client: 'pg', connection: pg.url });
      return {
        db,
        close: async () => {
          await db.destroy();
          await pg.stop();
        },
      };
    },
  },
];

const TABLES = [
  'projects', 'subjects', 'sessions', 'scans', 'file_versions', 'instances', 'scripts', 'anonymization_passes',
  'uploads', 'upload_files', 'upload_groups', 'prearchive_sessions', 'receivers', 'users', 'tokens',
  'project_roles', 'audit_events',
];
/** Larger than a 32-bit integer, so a bigint column must round-trip as a number on both databases. */
const BIG_SIZE = 5_000_000_123;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const uidHash = (s: string) => sha(s).slice(0, 32);
/** The archive's order: scan label, then SOP hash (plain code-point order, as both test databases sort). */
const byScanThenSop = (x: (string | number)[], y: (string | number)[]) => {
  const a = `${x[0]}/${x[1]}`;
  const b = `${y[0]}/${y[1]}`;
  return a < b ? -1 : a > b ? 1 : 0;
};

describe.each(DATABASES)('Repositories on $name', ({ open }) => {
  let database: OpenDatabase | undefined;
  let db: Knex;
  let repos: Repositories;

  beforeAll(async () => {
    database = await open();
    db = database.db;
    await migrateLatest(db);
    repos = createRepositories(db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('When the migrations run again, then every table exists and nothing is applied twice', async () => {
    const applied = async () => (await db('knex_migrations').orderBy('id')).map((r: { name: string }) => r.name);
    const before = await applied();
    expect(before[0]).toBe('001-initial');
    await migrateLatest(db);
    expect(await applied()).toEqual(before);
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(true);
  });

  describe('projects', () => {
    it('When a project is upserted, then it gets the defaults and later upserts change only the given fields', async () => {
      const created = await repos.projects.upsert({ id: 'P_B', name: 'Brain' });
      expect(created).toMatchObject({ id: 'P_B', name: 'Brain', prearchiveCode: 4, anonEnabled: true });

      const updated = await repos.projects.upsert({ id: 'P_B', anonEnabled: false, prearchiveCode: 0 });
      expect(updated).toMatchObject({ id: 'P_B', name: 'Brain', prearchiveCode: 0, anonEnabled: false });
      expect(await repos.projects.get('P_B')).toEqual(updated);

      await repos.projects.upsert({ id: 'P_A' });
      expect((await repos.projects.list()).map((p) => p.id)).toEqual(['P_A', 'P_B']);
      expect(await repos.projects.get('P_MISSING')).toBeUndefined();
    });
  });

  describe('scripts', () => {
    it('When scripts are saved, then each change is a new version and identical text returns the current one', async () => {
      const v1 = await repos.scripts.save('site', null, '(0010,0010) := "anon"');
      expect(v1).toMatchObject({ scope: 'site', projectId: null, version: 1, enabled: true, sha256: sha('(0010,0010) := "anon"') });
      expect(typeof v1.id).toBe('number');

      const again = await repos.scripts.save('site', null, '(0010,0010) := "anon"');
      expect(again).toEqual(v1);

      const v2 = await repos.scripts.save('site', null, '-(0010,0020)');
      expect(v2.version).toBe(2);
      expect(v2.id).not.toBe(v1.id);

      const off = await repos.scripts.setEnabled('site', null, false);
      expect(off).toMatchObject({ version: 3, text: '-(0010,0020)', enabled: false });
      expect(await repos.scripts.save('site', null, '-(0010,0020)', false)).toEqual(off);
      expect(await repos.scripts.current('site', null)).toEqual(off);
      expect(await repos.scripts.byId(v1.id)).toEqual(v1);
    });

    it('When a project script is saved, then its versions are counted apart from the site and other projects', async () => {
      const p1 = await repos.scripts.save('project', 'P_SCRIPTS_1', '-(0008,0080)');
      const p2 = await repos.scripts.save('project', 'P_SCRIPTS_2', '-(0008,0080)');
      expect([p1.version, p2.version]).toEqual([1, 1]);
      expect(await repos.scripts.current('project', 'P_SCRIPTS_1')).toEqual(p1);
      expect(await repos.scripts.current('project', 'P_NONE')).toBeUndefined();
      expect(await repos.scripts.setEnabled('project', 'P_NONE', false)).toBeUndefined();
    });
  });

  describe('uploads', () => {
    it('When an upload is created and its status set, then get returns the stored fields', async () => {
      await repos.uploads.create({
        id: 'up_status', method: 'zip', destination: 'archive', projectId: 'P_U', params: { project: 'P_U', overwrite: 'append', preventAnon: false }, workflowId: 'import-up_status',
      });
      expect(await repos.uploads.get('up_status')).toMatchObject({
        id: 'up_status', method: 'zip', destination: 'archive', projectId: 'P_U', params: { project: 'P_U', overwrite: 'append', preventAnon: false },
        status: 'RECEIVED', workflowId: 'import-up_status', errorCode: null, error: null, fileCount: null,
      });

      await repos.uploads.setStatus('up_status', 'UNPACKING', { fileCount: 3 });
      await repos.uploads.setStatus('up_status', 'ERROR', { errorCode: 'UNPARSABLE', error: 'file 2 is not DICOM' });
      expect(await repos.uploads.get('up_status')).toMatchObject({ status: 'ERROR', fileCount: 3, errorCode: 'UNPARSABLE', error: 'file 2 is not DICOM' });
      expect(await repos.uploads.get('up_missing')).toBeUndefined();
    });

    it('When files are replaced and updated, then files() returns the last set in order with numeric sizes', async () => {
      await repos.uploads.create({ id: 'up_files', method: 'api', destination: 'prearchive', params: {}, workflowId: 'import-up_files' });
      // 450 rows span three insert chunks; the second replace must leave only its own rows.
      await repos.uploads.replaceFiles('up_files', Array.from({ length: 450 }, (_, i) => ({ seq: i, sha256: sha(`f${i}`), size: 100 + i })));
      expect(await repos.uploads.files('up_files')).toHaveLength(450);
      await repos.uploads.replaceFiles('up_files', [
        { seq: 2, sha256: sha('c'), size: 30 },
        { seq: 0, sha256: sha('a'), size: BIG_SIZE },
        { seq: 1, sha256: sha('b'), size: 20 },
      ]);

      await repos.uploads.updateFile('up_files', 1, { stage: 'site', sha256: sha('b2'), size: 21, groupId: 'grp_1', studyUidHash: uidHash('st'), seriesUidHash: uidHash('se'), sopUidHash: uidHash('sop'), seriesNumber: '3' });
      await repos.uploads.updateFile('up_files', 2, { groupId: 'grp_1' });

      const files = await repos.uploads.files('up_files');
      expect(files.map((f) => [f.seq, f.stage, f.size])).toEqual([[0, 'raw', BIG_SIZE], [1, 'site', 21], [2, 'raw', 30]]);
      expect(files[1]).toMatchObject({
        uploadId: 'up_files', seq: 1, stage: 'site', sha256: sha('b2'), size: 21, groupId: 'grp_1',
        studyUidHash: uidHash('st'), seriesUidHash: uidHash('se'), sopUidHash: uidHash('sop'), seriesNumber: '3',
      });
      expect((await repos.uploads.files('up_files', 'grp_1')).map((f) => f.seq)).toEqual([1, 2]);
    });

    it('When groups are replaced and one is set, then groups() shows only the new set with its status and session', async () => {
      await repos.uploads.create({ id: 'up_groups', method: 'cstore', destination: 'archive', projectId: 'P_G', params: {}, workflowId: 'import-up_groups' });
      const group = (id: string) => ({ id, uploadId: 'up_groups', projectId: 'P_G', subjectLabel: `S_${id}`, sessionLabel: `E_${id}`, studyUidHash: uidHash(id) });
      await repos.uploads.replaceGroups('up_groups', [group('grp_old')]);
      await repos.uploads.replaceGroups('up_groups', [group('grp_b'), group('grp_a')]);
      await repos.uploads.setGroup('grp_b', { status: 'ARCHIVED', sessionId: 'sess_1' });

      expect(await repos.uploads.groups('up_groups')).toMatchObject([
        { ...group('grp_a'), sessionId: null, status: 'IDENTIFIED' },
        { ...group('grp_b'), sessionId: 'sess_1', status: 'ARCHIVED' },
      ]);
      expect(await repos.uploads.group('grp_old')).toBeUndefined();
      await repos.uploads.replaceGroups('up_groups', []);
      expect(await repos.uploads.groups('up_groups')).toEqual([]);
    });
  });

  describe('archive', () => {
    const entry = (series: string, sop: string, content: string, size = 1000): CatalogEntry => ({
      scanLabel: series, seriesUidHash: uidHash(series), sopUidHash: uidHash(sop), objectKey: `archive/${sha(content)}`, sha256: sha(content), size, producedByPassId: null,
    });
    const commit = (entries: CatalogEntry[]) =>
      repos.archive.commitSession({ projectId: 'P_ARC', subjectLabel: 'SUBJ01', sessionLabel: 'SESS01', studyUidHash: uidHash('study'), entries });

    it('When a session is committed, repeated and then changed, then it reports added, unchanged and replaced', async () => {
      await repos.projects.upsert({ id: 'P_ARC' });
      const first = await commit([entry('1', 'a', 'a1', BIG_SIZE), entry('1', 'b', 'b1'), entry('2', 'c', 'c1')]);
      expect(first).toMatchObject({ added: 3, replaced: 0, unchanged: 0 });

      const repeat = await commit([entry('1', 'a', 'a1', BIG_SIZE), entry('1', 'b', 'b1'), entry('2', 'c', 'c1')]);
      expect(repeat).toEqual({ sessionId: first.sessionId, added: 0, replaced: 0, unchanged: 3 });

      const changed = await commit([entry('1', 'a', 'a1', BIG_SIZE), entry('1', 'b', 'b2'), entry('2', 'd', 'd1')]);
      expect(changed).toEqual({ sessionId: first.sessionId, added: 1, replaced: 1, unchanged: 1 });

      const instances = await repos.archive.instances(first.sessionId);
      expect(instances.map((i) => [i.scanLabel, i.sopUidHash, i.contentSha256, i.objectKey, i.size])).toEqual(
        [
          ['1', uidHash('a'), sha('a1'), `archive/${sha('a1')}`, BIG_SIZE],
          ['1', uidHash('b'), sha('b2'), `archive/${sha('b2')}`, 1000],
          ['2', uidHash('c'), sha('c1'), `archive/${sha('c1')}`, 1000],
          ['2', uidHash('d'), sha('d1'), `archive/${sha('d1')}`, 1000],
        ].sort(byScanThenSop),
      );
      expect(new Set(instances.map((i) => i.sessionId))).toEqual(new Set([first.sessionId]));
      // The replaced instance keeps its id and gains a file version; the old one stays for history.
      const [{ n }] = await db('file_versions').count({ n: '*' });
      expect(Number(n)).toBe(5);
    });

    it('When commits of one new session race, then all succeed on one session and each instance is added once', async () => {
      await repos.projects.upsert({ id: 'P_RACE' });
      const racing = (i: number) =>
        repos.archive.commitSession({ projectId: 'P_RACE', subjectLabel: 'SUBJ_RACE', sessionLabel: 'SESS_RACE', studyUidHash: uidHash('race'), entries: [entry('1', 'shared', 'shared'), entry('1', `own${i}`, `own${i}`)] });
      const results = await Promise.all([1, 2, 3, 4].map(racing));
      expect(new Set(results.map((r) => r.sessionId)).size).toBe(1);
      const total = (k: 'added' | 'replaced' | 'unchanged') => results.reduce((n, r) => n + r[k], 0);
      expect([total('added'), total('replaced'), total('unchanged')]).toEqual([5, 0, 3]);
      expect(await repos.archive.instances(results[0].sessionId)).toHaveLength(5);
    });

    it('When a committed session is looked up, then sessionByLabel, session and sessions return its labels', async () => {
      const found = await repos.archive.sessionByLabel('P_ARC', 'SESS01');
      expect(found).toMatchObject({ id: found?.id, projectId: 'P_ARC', subjectId: found?.subjectId, subjectLabel: 'SUBJ01', label: 'SESS01', studyUidHash: uidHash('study') });
      expect(found?.id).toMatch(/^sess_/);
      expect(found?.subjectId).toMatch(/^subj_/);
      expect(await repos.archive.session(found!.id)).toEqual(found);
      expect(await repos.archive.sessions('P_ARC')).toEqual([found]);
      expect(await repos.archive.sessionByLabel('P_ARC', 'NOPE')).toBeUndefined();
    });
  });

  describe('passes', () => {
    const key = (input: string) => ({ kind: 'site' as const, scriptSha256: sha('script'), inputSha256: sha(input), contextSha256: sha('ctx') });
    const pass = (input: string, output: string | null, workflowId: string) => ({
      ...key(input), scriptId: 1, outputSha256: output, rejected: output === null, uploadId: 'up_passes', sessionId: null, workflowId, runId: 'run-1',
    });

    it('When the same pass is recorded twice, then the first record is kept and returned both times', async () => {
      const first = await repos.passes.record(pass('in1', sha('out1'), 'wf-first'));
      const second = await repos.passes.record(pass('in1', sha('other'), 'wf-second'));
      expect(second).toEqual(first);
      expect(first).toMatchObject({ outputSha256: sha('out1'), workflowId: 'wf-first', rejected: false, scriptId: 1 });
      expect(await repos.passes.find(key('in1'))).toEqual(first);
      expect(await repos.passes.byId(first.id)).toEqual(first);
      expect(await repos.passes.byOutput('site', sha('out1'))).toEqual(first);
      expect(await repos.passes.byOutput('project', sha('out1'))).toBeUndefined();
    });

    it('When attempts race to record one pass, then exactly one row exists and all get it', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => repos.passes.record(pass('in-race', sha(`out${i}`), `wf-${i}`))));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await repos.passes.count({ uploadId: 'up_passes' })).toBe(2);
    });

    it('When passes are counted, then count() returns numbers filtered by kind and upload', async () => {
      const rejected = await repos.passes.record({ ...pass('in-rej', null, 'wf-rej'), kind: 'project', uploadId: 'up_other' });
      expect(rejected.rejected).toBe(true);
      expect(await repos.passes.count()).toBe(3);
      expect(await repos.passes.count({ kind: 'site' })).toBe(2);
      expect(await repos.passes.count({ kind: 'project', uploadId: 'up_other' })).toBe(1);
      expect(await repos.passes.count({ uploadId: 'up_none' })).toBe(0);
    });

    it('When a pass is recorded as run by the upload client, then it reads back as the client\'s and the others as the server\'s', async () => {
      const client = await repos.passes.record({ ...pass('in-client', sha('in-client'), 'wf-client'), uploadId: 'up_client', performedBy: 'client' });
      expect(client.performedBy).toBe('client');
      expect((await repos.passes.find(key('in1')))!.performedBy).toBe('server');
      expect(await repos.passes.count({ uploadId: 'up_client', performedBy: 'client' })).toBe(1);
      expect(await repos.passes.count({ uploadId: 'up_client', performedBy: 'server' })).toBe(0);
      expect(await repos.passes.byOutput('site', sha('in-client'), 'client')).toEqual(client);
      expect(await repos.passes.byOutput('site', sha('in-client'), 'server')).toBeUndefined();
    });
  });

  describe('profile settings and secrets (migration 012)', () => {
    it('When profile settings are saved, then each change is a new version, the same setting is not, and a pass records its id', async () => {
      const v1 = await repos.profiles.save('project', 'PROF', { options: 'basic', pixelRules: null, encryptTo: null });
      expect(await repos.profiles.save('project', 'PROF', { options: 'basic', pixelRules: null, encryptTo: null })).toEqual(v1);
      const v2 = await repos.profiles.save('project', 'PROF', { options: 'basic', pixelRules: null, encryptTo: 'kek:01:' + '00'.repeat(16) });
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect(v2.sha256).not.toBe(v1.sha256);
      expect(await repos.profiles.current('project', 'PROF')).toEqual(v2);
      expect(await repos.profiles.current('site', null)).toBeUndefined();
      const pass = await repos.passes.record({ kind: 'project', scriptSha256: sha('prof'), inputSha256: sha('prof-in'), contextSha256: sha('ctx'), scriptId: 0, profileId: v2.id, outputSha256: sha('prof-out'), rejected: false, uploadId: null, sessionId: null, workflowId: null, runId: null });
      expect(pass).toMatchObject({ scriptId: 0, profileId: v2.id });
    });

    it('When first uses of a secret race, then all get the same 32-byte secret, and a new project has its own', async () => {
      const all = await Promise.all(Array.from({ length: 5 }, () => repos.secrets.secretOf({ scope: 'site' })));
      expect(new Set(all).size).toBe(1);
      expect(all[0]).toMatch(/^[0-9a-f]{64}$/);
      await repos.projects.upsert({ id: 'SECRETS1' });
      const [row] = await db('anonymization_secrets').where({ owner: 'project:SECRETS1' });
      expect(await repos.secrets.secretOf({ scope: 'project', projectId: 'SECRETS1' })).toBe(row.secret);
      expect(row.secret).not.toBe(all[0]);
    });
  });

  describe('audit', () => {
    it('When events are appended, then forSession returns that session\'s events in order with their details', async () => {
      await repos.audit.append({ actor: 'api', action: 'upload.received', sessionId: 'sess_audit', uploadId: 'up_a', detail: { files: 3 } });
      await repos.audit.append({ actor: 'worker', action: 'session.archived', sessionId: 'sess_other' });
      await repos.audit.append({ actor: 'worker', action: 'session.archived', projectId: 'P_A', sessionId: 'sess_audit', workflowId: 'wf', runId: 'run' });

      const events = await repos.audit.forSession('sess_audit');
      expect(events.map(({ at: _at, ...e }) => e)).toEqual([
        { actor: 'api', action: 'upload.received', projectId: null, sessionId: 'sess_audit', uploadId: 'up_a', workflowId: null, runId: null, detail: { files: 3 } },
        { actor: 'worker', action: 'session.archived', projectId: 'P_A', sessionId: 'sess_audit', uploadId: null, workflowId: 'wf', runId: 'run', detail: {} },
      ]);
      expect(events[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await repos.audit.forSession('sess_none')).toEqual([]);
    });
  });
});
