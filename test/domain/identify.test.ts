import { describe, expect, it } from 'vitest';
import { extractContainedAssignment, identify } from '../../src/domain/identify';
import { planPasses } from '../../src/domain/pass-matrix';

const projects = new Set(['P1', 'STUDYDESC', 'ACC']);
const exists = (id: string) => projects.has(id);

describe('identification (XNAT 1.8 order)', () => {
  it('When the request names project, subject and session, then they win over the header', () => {
    const r = identify({ PatientName: 'Doe^J', PatientID: 'X1', StudyDescription: 'STUDYDESC' }, { project: 'P1', subject: 'S', session: 'E' }, exists);
    expect(r).toEqual({ project: 'P1', subject: 'S', session: 'E', autoArchive: undefined });
  });
  it('When the request project does not exist, then the comment fields, StudyDescription and AccessionNumber are tried in order', () => {
    expect(identify({ PatientComments: 'Project:ACC', StudyDescription: 'STUDYDESC' }, { project: 'NOPE' }, exists).project).toBe('ACC');
    expect(identify({ StudyComments: 'foo Project: P1; Subject:s9', StudyDescription: 'STUDYDESC' }, {}, exists).project).toBe('P1');
    expect(identify({ StudyDescription: 'STUDYDESC', AccessionNumber: 'ACC' }, {}, exists).project).toBe('STUDYDESC');
    expect(identify({ StudyDescription: 'unknown', AccessionNumber: 'ACC' }, {}, exists).project).toBe('ACC');
    expect(identify({ StudyDescription: 'unknown' }, {}, exists).project).toBeUndefined();
  });
  it('When no labels are given, then subject falls back to PatientName and session to PatientID, then dicom_upload, sanitized', () => {
    expect(identify({ PatientName: 'Doe^Jane', PatientID: 'ID 7' }, {}, exists)).toMatchObject({ subject: 'Doe_Jane', session: 'ID_7' });
    expect(identify({ AdditionalPatientHistory: 'Subject:s01 Session:s01_mr1 AA:true' }, {}, exists)).toMatchObject({ subject: 's01', session: 's01_mr1', autoArchive: true });
    expect(identify({}, {}, exists).session).toBe('dicom_upload');
  });
  it('When assignments are embedded in free text, then only whole Key:value pairs separated by space , or ; count', () => {
    expect(extractContainedAssignment('baz=1 project:BobsProj subject:s1', 'Project')).toBe('BobsProj');
    expect(extractContainedAssignment('myproject:X', 'Project')).toBeUndefined();
    expect(extractContainedAssignment('a;Project : P-1;b', 'project')).toBe('P-1');
  });
});

describe('pass matrix', () => {
  it('When a server upload goes to the archive, then the site pass runs now and the project pass now', () => {
    expect(planPasses({ method: 'api', destination: 'archive', preventAnon: false, siteEnabled: true })).toEqual({ site: true, projectNow: true });
  });
  it('When it goes to the prearchive, then the project pass waits for the commit', () => {
    expect(planPasses({ method: 'cstore', destination: 'prearchive', preventAnon: false, siteEnabled: true })).toEqual({ site: true, projectNow: false });
  });
  it('When the client anonymized already or the site switch is off, then the server skips the site pass', () => {
    expect(planPasses({ method: 'client', destination: 'archive', preventAnon: true, siteEnabled: true }).site).toBe(false);
    expect(planPasses({ method: 'zip', destination: 'archive', preventAnon: false, siteEnabled: false }).site).toBe(false);
  });
});
