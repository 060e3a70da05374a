import { request } from 'node:http';
import type { Repositories } from '../db/repositories';
import { buildDicom } from '../dicom/synthetic';
import { zipBuffers } from '../storage/zip-write';

/** The demo project and its scripts: a site script that removes direct identifiers, a project script that labels. */
export const DEMO_PROJECT = 'DEMO';
export const DEMO_SITE_SCRIPT = `version "6.1"
// Site-wide script (runs on every upload): labels replace the direct identifiers.
(0010,0010) := subject
(0010,0020) := session
-(0010,0030)
-(0010,1000)
-(0008,0090)
`;
export const DEMO_PROJECT_SCRIPT = `version "6.1"
// Project script (runs when a session enters the archive).
project != "Unassigned" ? (0008,1030) := project
(0010,0010) := subject
(0010,0020) := session
(0008,0080) := "DEMO INSTITUTE"
`;

/**
 * Loads the demo through the HTTP API, as a user would: project, site script, project script, and a small synthetic
 * CT session (3 slices) uploaded to the archive. Idempotent: a second start finds it all in place.
 * Resolves to the archive URL of the demo session.
 */
export async function loadDemo(apiUrl: string, token: string, repos: Repositories): Promise<string> {
  const call = (method: string, path: string, body?: string | Buffer, type?: string) => callApi(apiUrl, token, method, path, body, type);
  await call('PUT', `/data/projects/${DEMO_PROJECT}?name=Demo%20project`);
  await call('PUT', '/xapi/anonymize/site', DEMO_SITE_SCRIPT);
  await call('PUT', `/data/config/edit/projects/${DEMO_PROJECT}/image/dicom/script`, DEMO_PROJECT_SCRIPT);
  const existing = await repos.archive.sessionByLabel(DEMO_PROJECT, 'DEMO_S01_CT1');
  if (existing) return `/data/archive/projects/${DEMO_PROJECT}/subjects/${existing.subjectLabel}/experiments/${existing.label}`;
  // Synthetic only: fixed made-up values, so that a second start uploads identical bytes.
  const study = '2.25.1000000000000000000000000000000001';
  const series = `${study}.1`;
  const files = [1, 2, 3].map((n) =>
    buildDicom({
      elements: {
        PatientName: 'Demo^Synthetic',
        PatientID: 'SYNTH-0001',
        PatientBirthDate: '19700101',
        StudyInstanceUID: study,
        SeriesInstanceUID: series,
        SOPInstanceUID: `${series}.${n}`,
        StudyDescription: 'Synthetic demo CT',
        SeriesNumber: '1',
        InstanceNumber: String(n),
      },
    }),
  );
  const zip = await zipBuffers(files.map((data, i) => ({ name: `demo/slice-${i + 1}.dcm`, data })));
  const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', dest: `/archive/projects/${DEMO_PROJECT}/subjects/DEMO_S01/experiments/DEMO_S01_CT1` });
  const body = await call('POST', `/data/services/import?${q}`, zip, 'application/zip');
  return body.trim().split('\n')[0];
}

function callApi(base: string, token: string, method: string, path: string, body?: string | Buffer, type = 'text/plain'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': type, 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text.trim()}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
