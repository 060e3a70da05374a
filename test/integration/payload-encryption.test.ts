import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/codec/aes-gcm-codec';
import { parseKeyList } from '../../src/codec/keyring';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { encodingOf, failuresIn, payloadsIn, rawService } from '../support/raw-history';
import { startTestStack, type TestStack } from '../support/test-stack';

// Canaries: synthetic "PHI" that must never be readable in Temporal.
const CANARY_NAME = 'Cipherpatient^Vq3Rm';
const CANARY_ID = 'CIPHERPID-5150-KX';

async function studyZip(n: number, extra: { name: string; data: Buffer }[] = []): Promise<Buffer> {
  const study = syntheticUid();
  const files = Array.from({ length: n }, (_, i) =>
    buildDicom({ elements: { PatientName: CANARY_NAME, PatientID: CANARY_ID, StudyInstanceUID: study, SOPInstanceUID: `${study}.${i + 1}`, InstanceNumber: String(i + 1) } }),
  );
  return zipBuffers([...files.map((data, i) => ({ name: `s/${i + 1}.dcm`, data })), ...extra]);
}

const importPath = (subject: string, session: string) =>
  `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/ENC1/subjects/${subject}/experiments/${session}`;
const codecCall = (base: string, op: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/codec/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('payload encryption and the codec endpoint', () => {
  let stack: TestStack;
  let raw: Awaited<ReturnType<typeof rawService>>;
  let archivedId: string;
  let failedId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    raw = await rawService(inject('temporalAddress'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/ENC1')).status).toBe(201);
    expect((await http(stack.baseUrl, 'POST', importPath('SUBJ1', 'SESS1'), await studyZip(2), 'application/zip')).status).toBe(200);
    // A member that does not parse: the import fails, and its failure message names the member.
    const garbage = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0x7f])]);
    const bad = await http(stack.baseUrl, 'POST', importPath('SUBJ2', 'SESS2'), await studyZip(1, [{ name: 's/secret-member.dcm', data: garbage }]), 'application/zip');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('secret-member.dcm'); // decoded for the API through the codec
    const rows = await stack.db('uploads').orderBy('created_at', 'asc');
    [archivedId, failedId] = rows.map((r) => r.workflow_id as string);
  });
  afterAll(async () => {
    await raw?.close();
    await stack?.stop();
  });

  const everythingStored = async (workflowId: string) => {
    const history = await raw.history('default', workflowId);
    const children = (history.events ?? []).map((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId).filter((id): id is string => !!id);
    const childHistories = await Promise.all(children.map((id) => raw.history('default', id)));
    const descriptions = await Promise.all([workflowId, ...children].map((id) => raw.describe('default', id)));
    return { history, children, stored: [history, ...childHistories, ...descriptions] };
  };

  it('When an import has run, then every payload the server stores (history, child, memo, summary) is encrypted and holds no canary', async () => {
    const { children, stored } = await everythingStored(archivedId);
    expect(children).toHaveLength(1);
    const payloads = stored.flatMap(payloadsIn);
    // Input, activity inputs and results, child input and result, memo, summary: far more than a handful.
    expect(payloads.length).toBeGreaterThan(15);
    const activeKeyId = parseKeyList(inject('codecKeys'), 'test')[0].id;
    for (const { path, payload } of payloads) {
      expect(encodingOf(payload), path).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(payload.metadata![KEY_ID_METADATA]!).toString(), path).toBe(activeKeyId);
    }
    const bytes = Buffer.concat(payloads.map((p) => Buffer.from(p.payload.data!)));
    for (const plain of [CANARY_NAME, CANARY_ID, 'Cipherpatient', archivedId.replace(/^upload-/, ''), 'json/plain']) {
      expect(bytes.includes(plain)).toBe(false);
      expect(bytes.includes(Buffer.from(plain).toString('base64'))).toBe(false);
    }
  });

  it('When an import has failed, then the stored failure messages and stack traces are encoded, not plaintext', async () => {
    const { stored } = await everythingStored(failedId);
    const failures = stored.flatMap(failuresIn);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.message).toBe('Encoded failure');
      expect(f.stackTrace ?? '').toBe('');
      expect(encodingOf(f.encodedAttributes!)).toBe(ENCRYPTED_ENCODING);
    }
    const text = JSON.stringify(stored);
    for (const plain of ['secret-member', CANARY_NAME, CANARY_ID]) expect(text).not.toContain(plain);
  });

  it('When the history is read with the codec, then it decodes and replays; without the codec, replay fails', async () => {
    const { history } = await everythingStored(archivedId);
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    const [input] = await stack.codec.decode(started.input!.payloads!);
    expect(encodingOf(input)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(input)).toMatchObject({ uploadId: archivedId.replace(/^upload-/, ''), destination: 'archive' });

    await Worker.runReplayHistory(stack.replayOptions, history, archivedId);
    await expect(Worker.runReplayHistory({ workflowBundle: stack.workflowBundle }, history, archivedId)).rejects.toThrow();
  });

  it('When the codec endpoint is called as the Web UI does, then encode and decode round-trip and a stored payload decodes', async () => {
    const original = { metadata: { encoding: b64('json/plain') }, data: b64('{"hello":"codec"}') };
    const enc = await codecCall(stack.baseUrl, 'encode', { payloads: [original] });
    expect(enc.status).toBe(200);
    const encoded = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(encoded.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded.payloads[0].data, 'base64').includes('hello')).toBe(false);
    const dec = await codecCall(stack.baseUrl, 'decode', encoded);
    expect(await dec.json()).toEqual({ payloads: [original] });

    // A payload exactly as the server stores it (what the UI sends): the workflow's input.
    const { history } = await everythingStored(archivedId);
    const stored = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    const asJson = { metadata: Object.fromEntries(Object.entries(stored.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(stored.data!).toString('base64') };
    const fromServer = (await (await codecCall(stack.baseUrl, 'decode', { payloads: [asJson] })).json()) as typeof encoded;
    expect(Buffer.from(fromServer.payloads[0].data, 'base64').toString()).toContain(archivedId.replace(/^upload-/, ''));
  });

  it('When the Web UI origin sends a preflight, then it is allowed; another origin is not', async () => {
    const pre = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const other = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('When a codec token is configured, then calls without it or with a wrong one are refused and the right one works', async () => {
    const guarded = await startTestStack({ DICOM_INTAKE_CODEC_TOKEN: 'codec-secret-42' });
    try {
      const body = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('1') }] };
      expect((await codecCall(guarded.baseUrl, 'encode', body)).status).toBe(401);
      expect((await codecCall(guarded.baseUrl, 'decode', body, { authorization: 'Bearer codec-secret-4' })).status).toBe(401);
      const ok = await codecCall(guarded.baseUrl, 'decode', body, { authorization: 'Bearer codec-secret-42' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual(body);
    } finally {
      await guarded.stop();
    }
  });
});
