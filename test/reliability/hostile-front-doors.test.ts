import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyWorkflowId } from '../../src/client/start-study';
import { DEFAULT_TRANSFER_SYNTAXES } from '../../src/config/receivers';
import { buildDicom } from '../../src/dicom/synthetic';
import { startReceiver, type RunningReceiver } from '../../src/scp/receiver';
import { zipBuffers } from '../../src/storage/zip-write';
import { MUTATIONS, mutate, seededRandom } from '../factories/dicom-mutator';
import { http } from '../support/http';
import { pydicomCheck } from '../support/pydicom-check';
import { runScu } from '../support/storescu';
import { startTestStack, type TestStack } from '../support/test-stack';

// deidentification-anchors §5: every tier (A must de-identify, B explicit handling, C must fail cleanly, D DICOMDIR).
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';
const CORPUS = [
  'ExplVR_BigEnd.dcm', 'MR_small_bigendian.dcm', 'ExplVR_BigEndNoMeta.dcm', 'ExplVR_LitEndNoMeta.dcm', 'rtstruct.dcm', 'no_meta.dcm',
  'no_meta_group_length.dcm', 'meta_missing_tsyntax.dcm', 'nested_priv_SQ.dcm', 'priv_SQ.dcm', 'UN_sequence.dcm', 'rtdose_rle_1frame.dcm',
  'image_dfl.dcm', 'SC_rgb_jpeg.dcm', 'MR_truncated.dcm', 'rtplan_truncated.dcm', 'badVR.dcm', 'JPEG2000-embedded-sequence-delimiter.dcm',
  'SC_rgb_small_odd.dcm', 'SC_rgb_small_odd_jpeg.dcm', 'empty_charset_LEI.dcm', 'J2K_pixelrep_mismatch.dcm', 'dicomdirtests/DICOMDIR',
  'dicomdirtests/DICOMDIR-nooffset', 'test-SR.dcm', 'reportsi_with_empty_number_tags.dcm', 'waveform_ecg.dcm', 'liver_1frame.dcm', 'CT_small.dcm',
].map((f) => `${PYDICOM}/test_files/${f}`).concat(['chrH31.dcm', 'chrSQEncoding.dcm', 'chrX1.dcm', 'chrArab.dcm'].map((f) => `${PYDICOM}/charset_files/${f}`));
// Bounded and seeded (FUZZ_SEED reproduces a run): 5 mutants of each kind, each from a synthetic file of its own study.
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const MUTANTS_PER_KIND = 5;
// Shorter than the receiver's idle timeout (60 s): a sender left waiting is caught here, not rescued by the timeout.
const REQUEST_BOUND_MS = 30_000;
const SITE_SCRIPT = 'version "6.1"\n(0010,0010) := "Hostile^Anon"\n';
// What the site script changes, plus the de-identification record it appends ((0012,0062/63/64) and its code items),
// and the group lengths of those groups, which the writer recomputes when a group changes (ExplVR_BigEnd.dcm has one).
const TOUCHED = new Set(['00100010', '00120062', '00120063', '00080100', '00080102', '00080103', '00080104', '00080105', '00080106', '00080107', '00100000', '00120000']);

/** A named hostile input on disk. */
interface Hostile {
  name: string;
  path: string;
}

/** Counts by outcome, for the report line of each front door. */
const tally = (xs: string[]) => Object.fromEntries([...new Set(xs)].sort().map((k) => [k, xs.filter((x) => x === k).length]));

describe('hostile files through the front doors', () => {
  let stack: TestStack;
  let rx: RunningReceiver;
  let dir: string;
  let inputs: Hostile[];
  const canaries = new Map<string, string[]>();

  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'hostile-'));
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/P1')).status).toBe(201);
    // C-STORE routing: the project is the "10008" of every standard SOP class UID, so no header needs changing.
    expect((await http(stack.baseUrl, 'PUT', '/data/projects/10008')).status).toBe(201);
    expect((await http(stack.baseUrl, 'PUT', '/xapi/anonymize/site', SITE_SCRIPT)).status).toBeLessThan(300);
    const random = seededRandom(SEED);
    const mutants: Hostile[] = [];
    let n = 0;
    for (const kind of MUTATIONS) {
      for (let i = 0; i < MUTANTS_PER_KIND; i++) {
        n++;
        // Fixed UIDs (each run has its own data folder and dev server), so that a seed gives the same bytes every time.
        const uid = `2.25.${SEED}${String(n).padStart(3, '0')}`;
        const seed = buildDicom({ rows: 8, columns: 8, elements: { PatientName: `Mutant^Canary${n}`, PatientID: `MUTPID${n}X`, StudyInstanceUID: uid, SeriesInstanceUID: `${uid}.1`, SOPInstanceUID: `${uid}.1.1` } });
        const { bytes } = mutate(seed, kind, random);
        const path = join(dir, `mutant-${kind}-${i}.dcm`);
        await writeFile(path, bytes);
        mutants.push({ name: `mutant ${kind} #${i}`, path });
      }
    }
    // A well-formed file without its StudyInstanceUID: any sender transmits it, so the receiver's own refusal
    // (0xC000, quarantine) is exercised whatever the mutants do.
    const noStudyUid = join(dir, 'no-study-uid.dcm');
    await writeFile(noStudyUid, buildDicom({ rows: 8, columns: 8, elements: { PatientName: 'Nostudy^Canary', StudyInstanceUID: null, SeriesInstanceUID: `2.25.${SEED}999.1`, SOPInstanceUID: `2.25.${SEED}999.1.1` } }));
    inputs = [...CORPUS.filter((p) => existsSync(p)).map((p) => ({ name: p.slice(PYDICOM.length + 1), path: p })), { name: 'no StudyInstanceUID', path: noStudyUid }, ...mutants];
    expect(inputs.length).toBe(CORPUS.length + 1 + MUTATIONS.length * MUTANTS_PER_KIND);
    const read = pydicomCheck(inputs.map((h) => h.path));
    for (const h of inputs) canaries.set(h.path, read.originals[h.path].texts.filter((t) => t.length >= 4));
    rx = await startReceiver(
      { id: 'rx-hostile', enabled: true, aeTitle: 'HOSTILE', host: '127.0.0.1', port: 0, destination: 'archive', anonymizationEnabled: true, allowedCallingAeTitles: ['ECHO', 'MODALITY'], transferSyntaxes: [...DEFAULT_TRANSFER_SYNTAXES], sessionIdleSeconds: 2, routing: { project: ['(0008,0016):1\\.2\\.840\\.(10008)\\..*'], subject: [], session: [] } },
      { repos: stack.repos, store: stack.store, client: stack.client, taskQueue: stack.taskQueue, siteAnonEnabled: true, signalIntervalMs: 200 },
    );
  });
  afterAll(async () => {
    await rx?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const stillHealthy = async () => {
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
    expect((await runScu('echoscu', { port: rx.port, callingAe: 'ECHO', calledAe: 'HOSTILE' }).done).code).toBe(0);
  };

  /** Every archived output re-reads strictly with pydicom and differs from its original only in what the site script touched. */
  const expectLossless = (pairs: [string, string][], changedBySender: (tag: string) => boolean = () => false) => {
    for (const r of pydicomCheck([], pairs).pairs) {
      const label = `${r.original} -> ${r.output}`;
      expect(r.outputError, `${label} re-reads`).toBeUndefined();
      if (r.originalError) continue; // pydicom cannot read the original even leniently: nothing to compare against
      expect(r.differing!.filter((t) => !TOUCHED.has(t) && !changedBySender(t)), `${label} unchanged outside the anonymized elements`).toEqual([]);
    }
  };

  it('When each hostile file is uploaded in its own zip, then every upload ends in time, each is archived losslessly or quarantined with a reason code, and the server stays up', { timeout: 900_000 }, async () => {
    const outcomes: string[] = [];
    const pairs: [string, string][] = [];
    let i = 0;
    for (const h of inputs) {
      i++;
      const zip = await zipBuffers([{ name: `hostile/${i}.dcm`, data: await readFile(h.path) }]);
      const path = `/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/archive/projects/P1/subjects/HS${i}/experiments/HE${i}`;
      const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', body: zip, headers: { 'content-type': 'application/zip', authorization: `Bearer ${stack.adminToken}` }, signal: AbortSignal.timeout(REQUEST_BOUND_MS) }).catch((err: Error) => {
        throw new Error(`${h.name}: the upload did not end within ${REQUEST_BOUND_MS} ms (${err.name})`);
      });
      const text = await res.text();
      const upload = await stack.db('uploads').orderBy('created_at', 'desc').first();
      if (res.status === 200) {
        const archived = await stack.store.list(`archive/P1/HS${i}/HE${i}`);
        expect(archived.filter((k) => k.endsWith('.dcm')), `${h.name} archived as one file`).toHaveLength(1);
        pairs.push([h.path, stack.store.path(archived.find((k) => k.endsWith('.dcm'))!)]);
        outcomes.push('archived');
        continue;
      }
      // Refused: a 4xx with the error's type, the upload in ERROR, its bytes and a reason in quarantine.
      expect(res.status, `${h.name}: ${text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${h.name}: ${text}`).toBeLessThan(500);
      const type = /^([A-Za-z]+Error): /.exec(text)?.[1];
      expect(type, `${h.name} answered with an error type: ${text}`).toBeDefined();
      expect(upload).toMatchObject({ status: 'ERROR', error_code: type });
      const reason = JSON.parse(readFileSync(stack.store.path(`quarantine/${upload.id}/reason.json`), 'utf8'));
      expect(reason.errorType).toBe(type);
      expect(await stack.store.exists(`quarantine/${upload.id}/upload.zip`)).toBe(true);
      for (const c of canaries.get(h.path)!) {
        expect(text, `${h.name}: no header value in the answer`).not.toContain(c);
        expect(JSON.stringify(reason), `${h.name}: no header value in the reason`).not.toContain(c);
      }
      outcomes.push(`refused ${type} ${/\(([A-Z_]+)\)|code ([A-Z_]+)/.exec(reason.message)?.slice(1).find(Boolean) ?? ''}`.trim());
    }
    expectLossless(pairs);
    // Tier A inputs the reader converts (big endian, deflated, no File Meta) are archived, not refused.
    for (const name of ['ExplVR_BigEnd.dcm', 'MR_small_bigendian.dcm', 'ExplVR_BigEndNoMeta.dcm', 'ExplVR_LitEndNoMeta.dcm', 'rtstruct.dcm', 'image_dfl.dcm']) {
      expect(outcomes[inputs.findIndex((h) => h.name === `test_files/${name}`)], name).toBe('archived');
    }
    await stillHealthy();
    expect(await stack.store.list('staging')).toEqual([]);
    console.log(`zip front door: ${inputs.length} files sent`, tally(outcomes));
    expect(outcomes).toHaveLength(inputs.length);
    // Both outcomes occur, so neither branch of the checks above is dead.
    expect(outcomes.filter((o) => o === 'archived').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'archived').length).toBeGreaterThan(0);
  });

  it('When each hostile file is sent by storescu in its own association, then each is stored, quarantined with a reason, or refused to the sender; studies end archived losslessly or quarantined; the receiver stays up', { timeout: 900_000 }, async () => {
    const outcomes: string[] = [];
    const received = () => stack.db('received_files').where({ receiver_id: 'rx-hostile' }).count({ n: '*' }).first().then((r) => Number(r!.n));
    const quarantined = async () => (await stack.store.list('quarantine/cstore/rx-hostile')).filter((k) => k.endsWith('reason.json'));
    for (const h of inputs) {
      const before = { received: await received(), quarantined: (await quarantined()).length };
      const scu = runScu('storescu', { port: rx.port, callingAe: 'MODALITY', calledAe: 'HOSTILE', files: [h.path] });
      const timer = setTimeout(scu.kill, REQUEST_BOUND_MS);
      const run = await scu.done;
      clearTimeout(timer);
      expect(run.code, `${h.name}: storescu ended by itself`).not.toBeNull();
      const after = { received: await received(), quarantined: await quarantined() };
      if (after.received === before.received + 1) outcomes.push('stored');
      else if (after.quarantined.length === before.quarantined + 1) {
        const reason = JSON.parse(readFileSync(stack.store.path(after.quarantined.at(-1)!), 'utf8'));
        expect(reason.errorType).toBe('UnreadableDicomError');
        for (const c of canaries.get(h.path)!) expect(JSON.stringify(reason)).not.toContain(c);
        outcomes.push(`quarantined ${reason.code}`);
      } else {
        // Not delivered: the sender must have been told (a non-zero exit), never a silent success.
        expect(run.code, `${h.name} neither stored nor quarantined, yet storescu succeeded:\n${run.output}`).not.toBe(0);
        outcomes.push(/presentation context|not supported|no acceptable/i.test(run.output) ? 'refused to sender: no accepted transfer syntax' : 'refused to sender: storescu could not send it');
      }
    }
    await stillHealthy();

    // Every stored study runs to its end (idle 2 s, then the import): archived or quarantined with a reason.
    const studies = (await stack.db('received_files').where({ receiver_id: 'rx-hostile' }).distinct('study_key')).map((r) => r.study_key as string);
    for (const key of studies) {
      const handle = stack.client.workflow.getHandle(studyWorkflowId(key));
      for (let i = 0; i < 100 && !(await handle.describe().then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      // A study whose import failed fails too (it shows in the Web UI); what matters here is that it ends.
      await Promise.race([handle.result().catch(() => 'failed'), new Promise((_, reject) => setTimeout(() => reject(new Error(`study ${key} did not end within ${REQUEST_BOUND_MS} ms`)), REQUEST_BOUND_MS))]);
    }
    const uploads = await stack.db('uploads').where({ method: 'cstore' });
    const studyOutcomes: string[] = [];
    for (const u of uploads) {
      if (u.status === 'ERROR') {
        const reason = JSON.parse(readFileSync(stack.store.path(`quarantine/${u.id}/reason.json`), 'utf8'));
        expect(reason.errorType).toBe(u.error_code);
        studyOutcomes.push(`quarantined ${u.error_code}`);
      } else {
        expect(u.status).toBe('ARCHIVED');
        studyOutcomes.push('archived');
      }
    }
    // Archived files are matched to their originals by SOP Instance UID (the site script keeps UIDs).
    const bySop = new Map<string, string>();
    for (const [path, info] of Object.entries(pydicomCheck(inputs.map((h) => h.path)).originals)) if (info.sop && !bySop.has(info.sop)) bySop.set(info.sop, path);
    const archived = (await stack.store.list('archive/10008')).filter((k) => k.endsWith('.dcm')).map((k) => stack.store.path(k));
    const sops = pydicomCheck(archived).originals;
    const pairs: [string, string][] = archived.filter((p) => bySop.has(sops[p].sop)).map((p) => [bySop.get(sops[p].sop)!, p]);
    // storescu (dcmtk) leaves Data Set Trailing Padding (FFFC,FFFC) and group lengths (gggg,0000, retired) off the
    // wire, so they never reach the receiver; the zip test above shows the service itself keeps both.
    expectLossless(pairs, (tag) => tag === 'FFFCFFFC' || tag.endsWith('0000'));
    console.log(`C-STORE front door: ${inputs.length} files sent`, tally(outcomes), `studies: ${studies.length}`, tally(studyOutcomes), `archived files: ${archived.length}, compared: ${pairs.length}`);
    expect(outcomes).toHaveLength(inputs.length);
    expect(studyOutcomes.length).toBeGreaterThanOrEqual(studies.length > 0 ? 1 : 0);
    expect(outcomes.filter((o) => o === 'stored').length).toBeGreaterThan(0);
    // The receiver's own refusal (0xC000 and quarantine) is exercised too, not only the sender's.
    expect(outcomes.filter((o) => o.startsWith('quarantined')).length).toBeGreaterThan(0);
    await stillHealthy();
  });
});
