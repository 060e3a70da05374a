import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { runKeys } from '../../src/cli/keys-command';
import { main } from '../../src/cli/main';
import { runStart } from '../../src/cli/start-command';
import { runUpload } from '../../src/cli/upload-command';
import { runWorker } from '../../src/cli/worker-command';
import { runWorkflows } from '../../src/cli/workflows-command';
import { ensureKeyring, formatKeyList, loadKeyring, newCodecKey } from '../../src/codec/keyring';
import { zipBuffers } from '../../src/storage/zip-write';
import { buildDicom, syntheticUid } from '../factories/dicom-builder';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

const exec = promisify(execFile);
const CLI = join(__dirname, '../../bin/dicom-intake.js');

describe('dicom-intake workflows and --help', () => {
  let stack: TestStack;
  let workflowId: string;
  let uploadId: string;
  const project = `CLIW${randomBytes(3).toString('hex')}`;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    exec('node', [CLI, ...args], {
      env: { ...process.env, DICOM_INTAKE_TEMPORAL_ADDRESS: inject('temporalAddress'), DICOM_INTAKE_CODEC_KEYS: inject('codecKeys'), DICOM_INTAKE_DATA_DIR: stack.dataDir, ...env },
    });
  const failing = (p: Promise<unknown>) => p.then(() => ({ code: 0, stdout: '', stderr: '' }), (e: { code: number; stdout: string; stderr: string }) => e);

  beforeAll(async () => {
    stack = await startTestStack();
    await http(stack.baseUrl, 'PUT', `/data/projects/${project}`);
    const study = syntheticUid();
    const zip = await zipBuffers([1, 2].map((n) => ({ name: `${n}.dcm`, data: buildDicom({ elements: { StudyInstanceUID: study, SOPInstanceUID: `${study}.${n}` } }) })));
    expect((await http(stack.baseUrl, 'POST', `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/${project}/subjects/S/experiments/E`, zip, 'application/zip')).status).toBe(200);
    [{ workflow_id: workflowId, id: uploadId }] = await stack.db('uploads').where({ project_id: project });
  });
  afterAll(async () => stack?.stop());

  it('When workflows are listed with a query and --json, then the import and its session run show with search attributes and the decoded description', async () => {
    let rows: { workflowId: string; type: string; status: string; searchAttributes: Record<string, string>; description?: string }[] = [];
    // Visibility is eventually consistent: a bounded retry.
    for (let i = 0; i < 5 && rows.length < 2; i++) rows = JSON.parse((await cli(['workflows', 'ls', '--query', `DicomProject = '${project}' AND DicomStatus = 'ARCHIVED'`, '--json'])).stdout);
    expect(rows.map((r) => r.type).sort()).toEqual(['archiveSession', 'importUpload']);
    const parent = rows.find((r) => r.type === 'importUpload')!;
    expect(parent).toMatchObject({ workflowId, status: 'COMPLETED', searchAttributes: { DicomProject: project, DicomStatus: 'ARCHIVED', DicomUploadMethod: 'api', DicomDestination: 'archive' } });
    expect(parent.description).toContain(uploadId);
  });

  it('When one workflow is shown, then its decoded input and result and its history event types are printed; with other keys it fails', async () => {
    const detail = JSON.parse((await cli(['workflows', 'show', workflowId, '--json'])).stdout);
    expect(detail).toMatchObject({ workflowId, type: 'importUpload', status: 'COMPLETED', input: { uploadId, destination: 'archive' }, result: { uploadId, status: 'ARCHIVED' } });
    const types = (detail.events as { type: string; detail?: string }[]).map((e) => e.type);
    expect(types[0]).toBe('WORKFLOW_EXECUTION_STARTED');
    expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
    expect(detail.events).toContainEqual(expect.objectContaining({ type: 'ACTIVITY_TASK_SCHEDULED', detail: 'unpackUpload' }));
    const text = (await cli(['workflows', 'show', workflowId])).stdout;
    expect(text).toMatch(/status\s+COMPLETED/);
    expect(text).toContain('START_CHILD_WORKFLOW_EXECUTION_INITIATED  archiveSession');
    expect(text).toMatch(/UPSERT_WORKFLOW_SEARCH_ATTRIBUTES {2}DicomStatus=UNPACKING\n/);
    expect(text).toMatch(/attributes DicomDestination=archive {2}DicomProject=\S+ {2}DicomStatus=ARCHIVED {2}DicomUploadMethod=api/);

    const [wrongKeys, missing] = await Promise.all([
      failing(cli(['workflows', 'show', workflowId], { DICOM_INTAKE_CODEC_KEYS: formatKeyList([newCodecKey()]) })),
      failing(cli(['workflows', 'show', 'upload-nope'])),
    ]);
    expect(wrongKeys.code).toBe(1);
    expect(wrongKeys.stderr).toMatch(/unknown key id/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no workflow "upload-nope"');
    // With --json the failure is also one JSON object on stdout, as for the commands that call the API.
    const missingJson = await failing(cli(['workflows', 'show', 'upload-nope', '--json']));
    expect(missingJson.code).toBe(1);
    expect(JSON.parse(missingJson.stdout)).toEqual({ ok: false, error: expect.stringContaining('no workflow "upload-nope"') });
  });

  it('When the keyring is rotated, then the new key id comes first and the old one is kept; with keys from the environment, rotation is refused', async () => {
    const file = join(stack.dataDir, 'rotation-keyring.json');
    ensureKeyring({ keyringFile: file });
    const [before] = loadKeyring({ keyringFile: file }).keys;
    const fileEnv = { DICOM_INTAKE_CODEC_KEYS: '', DICOM_INTAKE_CODEC_KEYRING_FILE: file };
    const rotated = await cli(['keys', 'rotate'], fileEnv);
    const newId = /new key (\S+) now encrypts/.exec(rotated.stdout)![1];
    const [listed, refused] = await Promise.all([cli(['keys', 'ls', '--json'], fileEnv), failing(cli(['keys', 'rotate']))]);
    expect(JSON.parse(listed.stdout)).toEqual({ source: file, encryptsWith: newId, keyIds: [newId, before.id] });
    expect(listed.stdout).not.toContain(before.key.toString('base64'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the keys come from DICOM_INTAKE_CODEC_KEYS');
  });

  it('When any command is asked for --help, then it prints usage with examples and exits 0', async () => {
    // In-process: help has no side effects, and six more node processes cost half a minute on a shared machine.
    // The commands are called directly: main() loads them with require(), which only the tsx runtime resolves.
    const commands: [string, (argv: string[]) => Promise<number>][] = [
      ['', main],
      ['start', runStart],
      ['upload', runUpload],
      ['worker', runWorker],
      ['workflows', runWorkflows],
      ['keys', runKeys],
    ];
    for (const [, run] of commands) {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
      try {
        expect(await run(['--help'])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(out.join('')).toContain('Usage:');
      expect(out.join('')).toContain('Examples:');
    }
  });
});
