import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDicom } from '../factories/dicom-builder';
import { freePort } from '../support/free-port';
import { http } from '../support/http';
import { openAssociation } from '../support/raw-association';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

const json = (body: unknown) => JSON.stringify(body);
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

/** Whether anything accepts a TCP connection on the loopback port. */
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

// A-RELEASE-RQ (PS3.8 9.3.6); the acceptor answers A-RELEASE-RP (PDU type 0x06).
const RELEASE_RQ = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

describe('Receivers created, changed and removed through the API, applied without a restart', () => {
  let stack: TestStack;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'rx-api-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/RXAPI')).status).toBe(201);
    file = join(dir, 'one.dcm');
    await writeFile(file, buildDicom({ rows: 8, columns: 8, elements: { PatientComments: 'Project:RXAPI Subject:RS1 Session:RSESS1', StudyInstanceUID: `2.25.${Date.now()}1` } }));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const store = (port: number, callingAe: string, calledAe = 'API_RX') => runScu('storescu', { port, callingAe, calledAe, files: [file] }).done;

  it('When a receiver is created, its allow-list changed, its port moved and it is removed, then each change holds at once: storescu gets in, an unknown AE is refused, the old port goes quiet, then nothing answers', async () => {
    const port = await freePort();
    const created = await http(stack.baseUrl, 'POST', '/api/receivers', json({ id: 'api-rx', aeTitle: 'API_RX', port, allowedCallingAeTitles: ['MODALITY1'], sessionIdleSeconds: 2 }), 'application/json');
    expect(created.status, created.text).toBe(201);
    expect(JSON.parse(created.text).receiver).toMatchObject({ id: 'api-rx', host: '127.0.0.1', destination: 'archive', anonymizationEnabled: true, enabled: true });

    const first = await store(port, 'MODALITY1');
    expect(first.code, first.output).toBe(0);

    const changed = await http(stack.baseUrl, 'PATCH', '/api/receivers/api-rx', json({ allowedCallingAeTitles: ['CT2'] }), 'application/json');
    expect(changed.status, changed.text).toBe(200);
    expect(JSON.parse(changed.text).receiver).toMatchObject({ port, allowedCallingAeTitles: ['CT2'], sessionIdleSeconds: 2 });
    const refused = await store(port, 'MODALITY1');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);
    // The refusal is logged with the receiver id, the reason and the calling AE title: no header value.
    const logged = stack.receiverLog.filter((l) => l.msg === 'association refused' && l.receiver === 'api-rx');
    expect(logged.at(-1)).toEqual({ level: 'warn', msg: 'association refused', receiver: 'api-rx', reason: 'calling-ae-not-allowed', callingAe: 'MODALITY1' });
    expect((await store(port, 'CT2')).code).toBe(0);

    // Saved, so a listing (and a restart) sees it.
    const listed = JSON.parse((await http(stack.baseUrl, 'GET', '/api/receivers')).text).receivers;
    expect(listed).toEqual([expect.objectContaining({ id: 'api-rx', aeTitle: 'API_RX', port, allowedCallingAeTitles: ['CT2'], running: true })]);

    // A new port and AE title: the receiver rebinds; the old port no longer answers.
    const moved = await freePort();
    const put = await http(stack.baseUrl, 'PUT', '/api/receivers/api-rx', json({ aeTitle: 'API_RX2', port: moved, allowedCallingAeTitles: ['CT2'], sessionIdleSeconds: 2 }), 'application/json');
    expect(put.status, put.text).toBe(200);
    expect(await answers(port)).toBe(false);
    expect((await store(moved, 'CT2', 'API_RX2')).code).toBe(0);
    expect((await store(moved, 'CT2', 'API_RX')).output).toMatch(/Called AE Title Not Recognized/i);

    const removed = await http(stack.baseUrl, 'DELETE', '/api/receivers/api-rx');
    expect(removed.status, removed.text).toBe(200);
    expect(await answers(moved)).toBe(false);
    expect(JSON.parse((await http(stack.baseUrl, 'GET', '/api/receivers')).text).receivers).toEqual([]);
    expect((await http(stack.baseUrl, 'DELETE', '/api/receivers/api-rx')).status).toBe(404);
  });

  it('When a receiver is changed while an association is open on it, then that association goes on to its release under the old settings', async () => {
    const port = await freePort();
    expect((await http(stack.baseUrl, 'POST', '/api/receivers', json({ id: 'inflight', aeTitle: 'INFLIGHT', port, allowedCallingAeTitles: ['HOLDER'] }), 'application/json')).status).toBe(201);
    const { socket, answer } = await openAssociation(port, 'HOLDER', 'INFLIGHT');
    expect(answer.kind).toBe('accepted');
    try {
      const changed = await http(stack.baseUrl, 'PATCH', '/api/receivers/inflight', json({ allowedCallingAeTitles: ['OTHER'] }), 'application/json');
      expect(changed.status, changed.text).toBe(200);
      // New associations follow the new list at once…
      expect((await openAssociation(port, 'HOLDER', 'INFLIGHT')).answer.kind).toBe('rejected');
      // …while the open one is still served: its release is answered.
      const released = new Promise<number>((resolve) => socket.once('data', (d: Buffer) => resolve(d[0])));
      socket.write(RELEASE_RQ);
      expect(await released).toBe(0x06);
    } finally {
      socket.destroy();
    }
    expect((await http(stack.baseUrl, 'DELETE', '/api/receivers/inflight')).status).toBe(200);
  });

  it('When a receiver is not valid, then it is refused with the reason, nothing is saved and nothing listens', async () => {
    const port = await freePort();
    const cases: [unknown, number, RegExp][] = [
      [{ aeTitle: 'THIS_AE_TITLE_IS_TOO_LONG', port, allowedCallingAeTitles: ['A'] }, 400, /aeTitle .* is not an AE title/],
      [{ aeTitle: 'BACK\\SLASH', port, allowedCallingAeTitles: ['A'] }, 400, /not an AE title/],
      [{ aeTitle: 'OK', port: 70000, allowedCallingAeTitles: ['A'] }, 400, /port must be a port number|port must be a number/],
      [{ aeTitle: 'OK', port: 0, allowedCallingAeTitles: ['A'] }, 400, /port must be a number 1-65535/],
      [{ aeTitle: 'OK' }, 400, /port is required/],
      [{ aeTitle: 'OK', port, host: 'pacs.example.org' }, 400, /host "pacs.example.org" is not an IP address/],
      [{ aeTitle: 'OK', port, destination: 'cloud' }, 400, /destination must be one of archive, prearchive/],
      [{ aeTitle: 'OK', port, anonymizationEnabled: 'no' }, 400, /anonymizationEnabled must be true or false/],
      [{ aeTitle: 'OK', port, allowedCallingAeTitles: ['GOOD', 'WAY_TOO_LONG_CALLING_AE'] }, 400, /allowedCallingAeTitles: "WAY_TOO_LONG_CALLING_AE" is not an AE title/],
      [{ aeTitle: 'OK', port, transferSyntaxes: ['explicit'] }, 400, /transferSyntaxes must be a non-empty list of UIDs/],
      [{ aeTitle: 'OK', port, routing: { project: ['(0008,0050)=oops'] } }, 400, /routing.project: Failed to parse routing expression '\(0008,0050\)=oops'/],
      [{ aeTitle: 'OK', port, colour: 'blue' }, 400, /unknown receiver key\(s\) colour/],
      ['not an object', 400, /JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const res = await http(stack.baseUrl, 'POST', '/api/receivers', json(body), 'application/json');
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.parse(res.text).error, JSON.stringify(body)).toMatch(message);
    }
    expect((await http(stack.baseUrl, 'POST', '/api/receivers', '{"aeTitle":', 'application/json')).status).toBe(400);
    expect(JSON.parse((await http(stack.baseUrl, 'GET', '/api/receivers')).text).receivers).toEqual([]);
    expect(await answers(port)).toBe(false);

    // Duplicates conflict: the same id, or a port another receiver holds; a port another program holds.
    expect((await http(stack.baseUrl, 'POST', '/api/receivers', json({ id: 'dup', aeTitle: 'DUP', port, allowedCallingAeTitles: ['A'] }), 'application/json')).status).toBe(201);
    const sameId = await http(stack.baseUrl, 'POST', '/api/receivers', json({ id: 'dup', aeTitle: 'DUP2', port: await freePort() }), 'application/json');
    expect([sameId.status, JSON.parse(sameId.text).error]).toEqual([409, expect.stringMatching(/id dup exists already/)]);
    const samePort = await http(stack.baseUrl, 'POST', '/api/receivers', json({ aeTitle: 'DUP3', port }), 'application/json');
    expect([samePort.status, JSON.parse(samePort.text).error]).toEqual([409, expect.stringMatching(new RegExp(`port ${port} is taken by receiver dup`))]);
    // The HTTP API's own port is held by another listener: the change is refused and the receiver keeps its port.
    const busy = Number(new URL(stack.baseUrl).port);
    const taken = await http(stack.baseUrl, 'PATCH', '/api/receivers/dup', json({ port: busy }), 'application/json');
    expect([taken.status, JSON.parse(taken.text).error]).toEqual([409, expect.stringMatching(/cannot listen on 127.0.0.1:\d+: .*EADDRINUSE.*choose another port/)]);
    expect(JSON.parse((await http(stack.baseUrl, 'GET', '/api/receivers/dup')).text).receiver).toMatchObject({ port, running: true });
    expect((await runScu('echoscu', { port, callingAe: 'A', calledAe: 'DUP' }).done).code).toBe(0);
    expect((await http(stack.baseUrl, 'PATCH', '/api/receivers/dup', json({ id: 'other' }), 'application/json')).status).toBe(400);
    expect((await http(stack.baseUrl, 'PATCH', '/api/receivers/nope', json({ port }), 'application/json')).status).toBe(404);
    expect((await http(stack.baseUrl, 'DELETE', '/api/receivers/dup')).status).toBe(200);
  });

  it('When someone other than a site admin asks, then receivers cannot be listed, created, changed or removed', async () => {
    expect((await http(stack.baseUrl, 'POST', '/api/users', json({ login: 'rxuser', password: 'rxuser-long-password' }), 'application/json')).status).toBe(201);
    const token = JSON.parse((await http(stack.baseUrl, 'POST', '/api/tokens', undefined, undefined, basic('rxuser', 'rxuser-long-password'))).text).token;
    const body = json({ aeTitle: 'NOPE', port: await freePort(), allowedCallingAeTitles: ['A'] });
    for (const [method, path] of [['GET', '/api/receivers'], ['POST', '/api/receivers'], ['PATCH', '/api/receivers/x'], ['PUT', '/api/receivers/x'], ['DELETE', '/api/receivers/x']]) {
      expect((await http(stack.baseUrl, method, path, method === 'GET' || method === 'DELETE' ? undefined : body, 'application/json', `Bearer ${token}`)).status, `${method} ${path}`).toBe(403);
      expect((await http(stack.baseUrl, method, path, undefined, undefined, null)).status, `${method} ${path} anonymous`).toBe(401);
    }
  });

  it('When temporal-dev.yaml seeds receivers, then each id is written once: a later change or removal through the API is not undone by the file', async () => {
    const yaml = { id: 'seeded', enabled: false, aeTitle: 'SEEDED', host: '127.0.0.1', port: await freePort(), destination: 'archive' as const, anonymizationEnabled: true, allowedCallingAeTitles: ['A'], transferSyntaxes: ['1.2.840.10008.1.2.1'], sessionIdleSeconds: 5, routing: { project: [], subject: [], session: [] } };
    expect(await stack.repos.receivers.seed([yaml])).toEqual(['seeded']);
    expect((await http(stack.baseUrl, 'PATCH', '/api/receivers/seeded', json({ allowedCallingAeTitles: ['B'] }), 'application/json')).status).toBe(200);
    expect(await stack.repos.receivers.seed([yaml])).toEqual([]);
    expect((await stack.repos.receivers.find('seeded'))?.allowedCallingAeTitles).toEqual(['B']);
    expect((await http(stack.baseUrl, 'DELETE', '/api/receivers/seeded')).status).toBe(200);
    expect(await stack.repos.receivers.seed([yaml])).toEqual([]);
    expect(await stack.repos.receivers.find('seeded')).toBeUndefined();
    // Its routing rules stay readable for a study still open from it.
    expect(await stack.repos.receivers.get('seeded')).toMatchObject({ id: 'seeded' });
  });
});
