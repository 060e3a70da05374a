import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { http } from '../support/http';
import { openAssociation } from '../support/raw-association';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

// Small limits so that each one is reached in a few seconds; the bounds asserted below are generous ("no hang").
const HEADERS_TIMEOUT_S = 2;
const UPLOAD_MAX = 1024 * 1024;
const MAX_ASSOCIATIONS = 4;
const IDLE_MS = 2000;
const AE = 'LIMITS_TEST';

/** Opens a raw connection to the API and resolves when it is connected. */
async function rawHttp(baseUrl: string): Promise<Socket> {
  const { port } = new URL(baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Collects what the server sends until it closes the connection or `ms` pass. */
function answerOf(socket: Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const timer = setTimeout(() => resolve({ text, closed: false }), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

describe('limits on requests and associations', () => {
  let stack: TestStack;
  let rx: RunningReceiver;
  const opened: Socket[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      DICOM_INTAKE_HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_S),
      DICOM_INTAKE_MAX_CONCURRENT_UPLOADS: '1',
      DICOM_INTAKE_UPLOAD_MAX_BYTES: String(UPLOAD_MAX),
    });
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P1')).status).toBe(201);
    rx = await startReceiver(
      { id: 'rx-limits', enabled: true, aeTitle: AE, host: '127.0.0.1', port: 0, destination: 'archive', anonymizationEnabled: true, allowedCallingAeTitles: ['ECHO', 'IDLE', 'FLOODX', ...Array.from({ length: MAX_ASSOCIATIONS }, (_, i) => `FLOOD${i}`)], transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES], sessionIdleSeconds: 60, routing: { project: [], subject: [], session: [] } },
      { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, limits: { maxAssociations: MAX_ASSOCIATIONS, idleTimeoutMs: IDLE_MS } },
    );
  });
  afterAll(async () => {
    for (const s of opened) s.destroy();
    await rx?.close();
    await stack?.stop();
  });

  const echo = () => runScu('echoscu', { port: rx.port, callingAe: 'ECHO', calledAe: AE }).done;

  it('When a client sends its headers byte by byte, then it is cut off near the headers timeout and the server keeps answering', async () => {
    const socket = await rawHttp(stack.baseUrl);
    opened.push(socket);
    const started = Date.now();
    const answer = answerOf(socket, 30_000);
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    // 120 bytes at 4 per second would take 30 s; the server must not wait for them.
    let sent = 0;
    for (; sent < 120 && !socket.destroyed && socket.writable; sent++) {
      socket.write('a');
      await new Promise((r) => setTimeout(r, 250));
      if (Date.now() - started > 30_000) break;
    }
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(120);
    expect(Date.now() - started).toBeLessThan(HEADERS_TIMEOUT_S * 1000 + 10_000);
    // Node answers 408 when it can; either way no handler ran for the half-sent request.
    expect(text === '' || text.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
  });

  it('When an upload declares a Content-Length over limits.uploadMaxBytes, then it is refused with 413 before any body byte is sent', async () => {
    const socket = await rawHttp(stack.baseUrl);
    opened.push(socket);
    const answer = answerOf(socket, 15_000);
    // Headers only: a server that read the body before deciding would wait here until the bound.
    socket.write(`POST /data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/P1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${stack.adminToken}\r\nContent-Type: application/zip\r\nContent-Length: ${10 * 1024 ** 3}\r\n\r\n`);
    const { text } = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('limits.uploadMaxBytes');
    expect(await stack.store.list('staging')).toEqual([]);
  });

  it('When more uploads arrive at once than limits.maxConcurrentUploads, then the extra one is answered 503 with Retry-After, and a slot frees when the first ends', async () => {
    const first = await rawHttp(stack.baseUrl);
    opened.push(first);
    // The first upload holds its slot while its body trickles in.
    first.write(`POST /api/uploads?dest=/archive/projects/P1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${stack.adminToken}\r\nContent-Type: application/zip\r\nContent-Length: 1000\r\n\r\nPK`);
    // It holds the slot once its body has begun to land in staging.
    for (let i = 0; i < 100 && !(await stack.store.list('staging')).length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await stack.store.list('staging')).toHaveLength(1);
    const second = await http(stack.baseUrl, 'POST', '/api/uploads?dest=/archive/projects/P1', Buffer.from('x'), 'application/zip');
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('10');
    expect(second.text).toContain('limits.maxConcurrentUploads');
    first.destroy();
    // The aborted upload gives its slot back: the next request is judged on its body (not an archive: 400).
    let third = { status: 503 };
    for (let i = 0; i < 50 && third.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      third = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/P1/subjects/S1/experiments/E1', Buffer.from('not an archive'.repeat(30)), 'application/zip');
    }
    expect(third.status).toBe(400);
  });

  it(`When ${MAX_ASSOCIATIONS + 1} associations are open at once, then the last is rejected (transient, local limit exceeded) and the receiver stays healthy`, async () => {
    const held = [];
    for (let i = 0; i < MAX_ASSOCIATIONS; i++) held.push(await openAssociation(rx.port, `FLOOD${i}`, AE));
    opened.push(...held.map((h) => h.socket));
    expect(held.map((h) => h.answer.kind)).toEqual(Array(MAX_ASSOCIATIONS).fill('accepted'));
    const extra = await openAssociation(rx.port, 'FLOODX', AE);
    opened.push(extra.socket);
    // PS3.8 9.3.4: result 2 = rejected-transient, source 3 = service-provider (presentation), reason 2 = local limit exceeded.
    expect(extra.answer).toEqual({ kind: 'rejected', result: 2, source: 3, reason: 2 });
    for (const h of held) h.socket.destroy();
    let ok = await echo();
    for (let i = 0; i < 20 && ok.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ok = await echo();
    }
    expect(ok.code).toBe(0);
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
  });

  it('When an association stays idle, or a connection never asks for one, then the receiver closes it after the idle timeout', async () => {
    const started = Date.now();
    const idle = await openAssociation(rx.port, 'IDLE', AE);
    opened.push(idle.socket);
    expect(idle.answer.kind).toBe('accepted');
    const silent = connect(rx.port, '127.0.0.1');
    silent.on('error', () => undefined);
    opened.push(silent);
    const closedWithin = (s: Socket) => (s.destroyed ? Promise.resolve(true) : answerOf(s, IDLE_MS + 15_000).then((a) => a.closed));
    expect(await closedWithin(idle.socket)).toBe(true);
    expect(await closedWithin(silent)).toBe(true);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 15_000);
    expect((await echo()).code).toBe(0);
  });
});
