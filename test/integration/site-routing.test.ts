import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDicom } from '../../src/dicom/synthetic';
import { zipBuffers } from '../../src/storage/zip-write';
import { http } from '../support/http';
import { startTestStack, type TestStack } from '../support/test-stack';

// Site routing rules (XNAT's projectRules, reference §3.3) set by a site admin at run time: the configuration's rules
// apply until the first save; a save replaces them for the next identification, without a restart.
const CONFIG_RULE = '(0008,0050):^CFG-(.*)$';
const SAVED_RULE = '(0008,0050):^SITE-(.*)$';

let counter = 0;
/** A one-file study whose Accession Number carries `accession`; no project in the request. */
async function studyWithAccession(accession: string): Promise<Buffer> {
  counter++;
  const study = `2.25.${Date.now()}${process.pid}${counter}`;
  const file = buildDicom({
    rows: 16,
    columns: 16,
    elements: { PatientName: 'Routing^Test', PatientID: `RT-${counter}`, AccessionNumber: accession, StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: `${study}.1.1` },
  });
  return zipBuffers([{ name: 'study/1.dcm', data: file }]);
}

describe('site routing rules through the API and the site page', () => {
  let stack: TestStack;
  const upload = async (accession: string) => {
    const res = await http(stack.baseUrl, 'POST', '/data/services/import?import-handler=DICOM-zip&inbody=true&dest=/prearchive', await studyWithAccession(accession), 'application/zip');
    expect(res.status, res.text).toBe(200);
    return res.text.trim();
  };

  beforeAll(async () => {
    stack = await startTestStack({ DICOM_INTAKE_PROJECT_RULES: CONFIG_RULE });
    for (const p of ['RTONE', 'RTTWO']) expect((await http(stack.baseUrl, 'PUT', `/data/projects/${p}`)).status).toBe(201);
  });
  afterAll(async () => stack?.stop());

  it('When no rules were saved, then the configuration rules are shown and used', async () => {
    const got = JSON.parse((await http(stack.baseUrl, 'GET', '/api/routing')).text) as { source: string; rules: { project: string[] } };
    expect(got).toMatchObject({ source: 'configuration', rules: { project: [CONFIG_RULE], subject: [], session: [] } });
    expect(await upload('CFG-RTONE')).toMatch(/\/projects\/RTONE\//);
  });

  it('When a rule does not parse or a key is unknown, then the save is refused with the label and line, and nothing changes', async () => {
    const bad = await http(stack.baseUrl, 'PUT', '/api/routing', JSON.stringify({ project: [SAVED_RULE, '(0008,0050'] }), 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/project rule 2/);
    const unknown = await http(stack.baseUrl, 'PUT', '/api/routing', JSON.stringify({ projects: [SAVED_RULE] }), 'application/json');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).error).toMatch(/unknown key "projects"/);
    expect(JSON.parse((await http(stack.baseUrl, 'GET', '/api/routing')).text).source).toBe('configuration');
  });

  it('When a site admin saves rules, then they replace the configuration rules at once, are audited and show on the site page', async () => {
    const saved = await http(stack.baseUrl, 'PUT', '/api/routing', JSON.stringify({ project: [SAVED_RULE], subject: [], session: [] }), 'application/json');
    expect(saved.status, saved.text).toBe(200);
    expect(JSON.parse(saved.text)).toMatchObject({ source: 'database', rules: { project: [SAVED_RULE] } });
    // The saved rule routes (the project's archive setting may archive it at once); the configuration's rule no longer
    // does, so that study waits in the Unassigned prearchive.
    expect(await upload('SITE-RTTWO')).toMatch(/\/projects\/RTTWO\//);
    expect(await upload('CFG-RTONE')).toMatch(/\/prearchive\/projects\/Unassigned\//);
    const audit = await stack.db('audit_events').where({ action: 'routing.saved' });
    expect(audit).toHaveLength(1);
    const page = await http(stack.baseUrl, 'GET', '/ui/site');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Site routing rules');
    expect(page.text).toContain('(0008,0050):^SITE-(.*)$');
  });
});
