import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passStepsSha256, profileForPass } from '../../src/activities/pass-profile';
import { runPassOnFile } from '../../src/activities/script-runner';
import { remapUid } from '../../src/anonymize/uid-remap';
import { connectDatabase } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';
import { createRepositories, type Repositories } from '../../src/db/repositories';
import { openDicom } from '../../src/dicom';
import { buildDicom } from '../../src/dicom/synthetic';

// The pass runner with a profile: real SQLite for the settings and secrets, real files for the passes.
describe('a pass with a profile (runPassOnFile)', () => {
  let dir: string;
  let db: Knex;
  let repos: Repositories;
  const SOP = '2.25.90817263544';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'profile-pass-'));
    db = connectDatabase({ client: 'sqlite3', filename: join(dir, 'db.sqlite') });
    await migrateLatest(db);
    repos = createRepositories(db);
    await repos.projects.upsert({ id: 'P1' });
    await writeFile(join(dir, 'in.dcm'), buildDicom({ elements: { PatientName: 'Runner^Canary', PatientID: 'RUN-77', SOPInstanceUID: SOP, StudyInstanceUID: '2.25.1', SeriesInstanceUID: '2.25.2' } }));
  });
  afterAll(async () => {
    await db?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('When a project is created, then it has its own 32-byte secret, distinct from the site one and stable', async () => {
    const secret = await repos.secrets.secretOf({ scope: 'project', projectId: 'P1' });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await repos.secrets.secretOf({ scope: 'project', projectId: 'P1' })).toBe(secret);
    expect(await repos.secrets.secretOf({ scope: 'site' })).not.toBe(secret);
  });

  it('When a profile-only pass runs on its own output, then it reports already-applied and the UIDs are remapped once', async () => {
    await repos.profiles.save('project', 'P1', { options: 'basic', pixelRules: null, encryptTo: null });
    const profile = (await profileForPass(repos, 'project', 'P1'))!;
    const first = await runPassOnFile({ profile }, join(dir, 'in.dcm'), join(dir, 'once.dcm'), { subject: 'S' });
    expect(first.kind).toBe('written');
    expect(await runPassOnFile({ profile }, join(dir, 'once.dcm'), join(dir, 'twice.dcm'), { subject: 'S' })).toEqual({ kind: 'already-applied' });
    const out = await openDicom(join(dir, 'once.dcm'));
    expect(out.getString(0x00080018)).toBe(remapUid(SOP, profile.secret));
    expect(out.getDeidentificationMethodCodes()).toEqual(['113100', `P${profile.setting.id}`]);
    expect((await readFile(join(dir, 'once.dcm'))).includes(Buffer.from('Runner^Canary'))).toBe(false);
  });

  it('When the profile setting changes, then the pass key changes with it, and a setting of no profile gives no profile', async () => {
    const v1 = (await profileForPass(repos, 'project', 'P1'))!;
    await repos.profiles.save('project', 'P1', { options: 'basic,retain-uids', pixelRules: null, encryptTo: null });
    const v2 = (await profileForPass(repos, 'project', 'P1'))!;
    expect(v2.setting.version).toBe(v1.setting.version + 1);
    expect(passStepsSha256(v2, undefined)).not.toBe(passStepsSha256(v1, undefined));
    await repos.profiles.save('project', 'P1', { options: '', pixelRules: null, encryptTo: null });
    expect(await profileForPass(repos, 'project', 'P1')).toBeUndefined();
  });
});
