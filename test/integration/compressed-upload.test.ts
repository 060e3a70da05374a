import { readFile, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom } from '../factories/dicom-builder';
import { tarBuffers, tgzBuffers, type TarTestEntry } from '../factories/tar-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

let n = 0;
function study(count: number): { name: string; data: Buffer }[] {
  n++;
  const uid = `2.25.${Date.now()}${n}`;
  return Array.from({ length: count }, (_, i) => ({
    name: `study/${i + 1}.dcm`,
    data: buildDicom({ rows: 8, columns: 8, elements: { StudyInstanceUID: uid, SeriesInstanceUID: `${uid}.1`, SOPInstanceUID: `${uid}.1.${i + 1}`, SeriesNumber: '1' } }),
  }));
}

const importPath = (session: string, extra = '') => `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/P1/subjects/S1/experiments/${session}${extra}`;

describe('compressed uploads: zip, tar, tar.gz and multipart', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      DICOM_INTAKE_ARCHIVE_MAX_MEMBERS: '20',
      DICOM_INTAKE_ARCHIVE_MAX_EXPANDED_BYTES: String(3 * 1024 * 1024),
      DICOM_INTAKE_ARCHIVE_MAX_RATIO: '50',
    });
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P1')).status).toBe(201);
  });
  afterAll(async () => stack?.stop());

  /** Every file the data folder's parent and the data folder hold outside staging/quarantine/archive (escapes). */
  const strayFiles = async () => {
    const outside = (await readdir(dirname(stack.dataDir))).filter((f) => /escape|abs-target|linked/.test(f));
    const inside = (await readdir(stack.dataDir)).filter((f) => !['staging', 'prearchive', 'archive', 'quarantine', 'db.sqlite', 'db.sqlite-journal', 'db.sqlite-wal', 'db.sqlite-shm'].includes(f));
    return [...outside, ...inside];
  };

  it('When a tar and a tar.gz of DICOM files are posted, then both are archived like a zip', async () => {
    const tarRes = await http(stack.baseUrl, 'POST', importPath('TAR1'), tarBuffers(study(3)), 'application/x-tar');
    expect(tarRes.status).toBe(200);
    const tgzRes = await http(stack.baseUrl, 'POST', importPath('TGZ1'), tgzBuffers(study(2)), 'application/gzip');
    expect(tgzRes.status).toBe(200);
    expect(await stack.store.list('archive/P1/S1/TAR1')).toHaveLength(3);
    expect(await stack.store.list('archive/P1/S1/TGZ1')).toHaveLength(2);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When the archive comes as a multipart/form-data file field, then it is read from the part, not the envelope', async () => {
    const boundary = '----intake-test-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nnot the file\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="study.tgz"\r\nContent-Type: application/gzip\r\n\r\n`),
      tgzBuffers(study(2)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${stack.baseUrl}${importPath('MULTI1').replace('&inbody=true', '')}`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${stack.adminToken}` } });
    expect(res.status).toBe(200);
    expect(await stack.store.list('archive/P1/S1/MULTI1')).toHaveLength(2);
  });

  it('When a member is not DICOM, then the upload fails whole naming it, unless Ignore-Unparsable=true skips and reports it', async () => {
    const members = [...study(2), { name: 'study/readme.txt', data: Buffer.from('not dicom at all, just some text') }];
    const refused = await http(stack.baseUrl, 'POST', importPath('NOTDCM1'), tgzBuffers(members), 'application/gzip');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('study/readme.txt');
    expect(await stack.store.list('archive/P1/S1/NOTDCM1')).toEqual([]);
    const skipped = await http(stack.baseUrl, 'POST', importPath('NOTDCM2', '&Ignore-Unparsable=true'), tgzBuffers(members), 'application/gzip');
    expect(skipped.status).toBe(200);
    expect(await stack.store.list('archive/P1/S1/NOTDCM2')).toHaveLength(2);
    const upload = await stack.db('uploads').orderBy('created_at', 'desc').first();
    const audit = await stack.db('audit_events').where({ upload_id: upload.id, action: 'upload.members-skipped' }).first();
    expect(JSON.parse(audit.detail)).toEqual({ members: [3] });
    const status = JSON.parse((await http(stack.baseUrl, 'GET', `/api/uploads/${upload.id}`)).text);
    expect(status).toMatchObject({ status: 'ARCHIVED', files: 2, skippedMembers: [3] });
  });

  it('When a zip holds a DICOMDIR beside its images, then the images are archived and the DICOMDIR is skipped, reported and never kept', async () => {
    const dicomdir = await readFile('/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/DICOMDIR');
    const members = [...study(2), { name: 'study/DICOMDIR', data: dicomdir }];
    // Without Ignore-Unparsable: a DICOMDIR is not a broken member, so the upload is not refused for it.
    const res = await http(stack.baseUrl, 'POST', importPath('DIR1'), await zipBuffers(members), 'application/zip');
    expect(res.status, res.text).toBe(200);
    const archived = await stack.store.list('archive/P1/S1/DIR1');
    expect(archived).toHaveLength(2);
    // The two archived files are the two images (the DICOMDIR's bytes are nowhere in the archive).
    const sizes = await Promise.all(archived.map(async (key) => (await readFile(stack.store.path(key))).length));
    expect(sizes.every((size) => size !== dicomdir.length)).toBe(true);
    const upload = await stack.db('uploads').orderBy('created_at', 'desc').first();
    const audit = await stack.db('audit_events').where({ upload_id: upload.id, action: 'upload.dicomdir-skipped' }).first();
    expect(JSON.parse(audit.detail)).toEqual({ members: [3] });
    const status = JSON.parse((await http(stack.baseUrl, 'GET', `/api/uploads/${upload.id}`)).text);
    expect(status).toMatchObject({ status: 'ARCHIVED', files: 2, skippedMembers: [], skippedDicomdirs: [3] });
    expect(await stack.store.list('staging')).toEqual([]);

    const only = await http(stack.baseUrl, 'POST', importPath('DIR2'), await zipBuffers([{ name: 'DICOMDIR', data: dicomdir }]), 'application/zip');
    expect(only.status).toBe(400);
    expect(only.text).toMatch(/^BadArchiveError: .*no DICOM images .*1 DICOMDIR skipped/);
  });

  const dicom = () => study(1)[0].data;
  const zeros = Buffer.alloc(3 * 1024 * 1024 + 1);
  const hostile: { what: string; entries: () => TarTestEntry[]; reason: RegExp; formats?: ('tar' | 'tgz')[] }[] = [
    { what: "a '..' path", entries: () => [{ name: 'ok.dcm', data: dicom() }, { name: '../../escape.dcm', data: dicom() }], reason: /member #2 has a '\.\.' path/ },
    { what: 'an absolute path', entries: () => [{ name: `${'/tmp'}/abs-target.dcm`, data: dicom() }], reason: /member #1 has an absolute path/ },
    { what: 'a symbolic link', entries: () => [{ name: 'linked.dcm', type: '2', linkName: '/etc/passwd' }], reason: /member #1 is a symbolic link/ },
    { what: 'a hard link', entries: () => [{ name: 'a.dcm', data: dicom() }, { name: 'linked.dcm', type: '1', linkName: 'a.dcm' }], reason: /member #2 is a hard link/ },
    { what: 'a nested archive', entries: () => [{ name: 'inner.bin', data: tgzBuffers([{ name: 'x.dcm', data: dicom() }]) }], reason: /member #1 is itself an archive/ },
    { what: 'a nested archive by name', entries: () => [{ name: 'inner.zip', data: dicom() }], reason: /member #1 is itself an archive/ },
    { what: 'too many members', entries: () => Array.from({ length: 21 }, (_, i) => ({ name: `m${i}.dcm`, data: Buffer.from('x') })), reason: /more than 20 members/ },
    { what: 'too many expanded bytes', entries: () => [{ name: 'big.dcm', data: zeros }], reason: /expands past 3145728 bytes|expands more than 50x/, formats: ['tar'] },
    { what: 'a compression ratio over the limit', entries: () => [{ name: 'zeros.dcm', data: Buffer.alloc(2 * 1024 * 1024) }], reason: /expands more than 50x/, formats: ['tgz'] },
  ];
  for (const h of hostile) {
    for (const format of h.formats ?? (['tar', 'tgz'] as const)) {
      it(`When a ${format} holds ${h.what}, then it is refused with that reason and nothing is written outside staging`, async () => {
        const archiveBefore = await stack.store.list('archive');
        const body = format === 'tar' ? tarBuffers(h.entries()) : tgzBuffers(h.entries());
        const res = await http(stack.baseUrl, 'POST', importPath('HOSTILE'), body, 'application/octet-stream');
        expect(res.status).toBe(400);
        expect(res.text).toMatch(/^BadArchiveError: /);
        expect(res.text).toMatch(h.reason);
        expect(await stack.store.list('archive')).toEqual(archiveBefore);
        expect(await stack.store.list('staging')).toEqual([]);
        expect(await strayFiles()).toEqual([]);
        const upload = await stack.db('uploads').orderBy('created_at', 'desc').first();
        // Only the upload itself and the reason are kept, in quarantine; no member was left extracted.
        expect((await stack.store.list(`quarantine/${upload.id}`)).map((k) => k.split('/').pop())).toEqual(['reason.json', 'upload.zip']);
      });
    }
  }

  it('When a zip holds a nested archive, then the zip is refused the same way', async () => {
    const zip = await zipBuffers([{ name: 'a.dcm', data: dicom() }, { name: 'inner.bin', data: await zipBuffers([{ name: 'x.dcm', data: dicom() }]) }]);
    const res = await http(stack.baseUrl, 'POST', importPath('HOSTILEZIP'), zip, 'application/zip');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/member #2 is itself an archive/);
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When the body is not an archive at all, then it is refused as such', async () => {
    const res = await http(stack.baseUrl, 'POST', importPath('NOTARCH'), Buffer.from('just text, no archive'.repeat(40)), 'application/octet-stream');
    expect(res.status).toBe(400);
    expect(res.text).toContain('not a zip, tar or tar.gz archive');
    expect(await stack.store.list('staging')).toEqual([]);
  });
});
