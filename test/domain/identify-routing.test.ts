import { describe, expect, it } from 'vitest';
import { identify, type IdentificationHeader, type RequestLabels, type RoutingRuleSets } from '../../src/domain/identify';
import { parseRoutingRule, parseRoutingRules } from '../../src/domain/routing-rules';

const projects = new Set(['P1', 'STUDYDESC', 'ACC', 'RULEPROJ', 'RXPROJ', 'X789', 'COMMENTS2', 'HIST3']);
const exists = (id: string) => projects.has(id);

// Tags the rules below read, besides the identification fields.
const TAGS: Record<string, number> = { Manufacturer: 0x00080070, StudyDate: 0x00080020, InstitutionName: 0x00080080 };
const FIELD_TAGS: Record<string, number> = { AccessionNumber: 0x00080050, PatientName: 0x00100010, PatientID: 0x00100020, StudyDescription: 0x00081030 };

type Header = IdentificationHeader & { Manufacturer?: string; StudyDate?: string; InstitutionName?: string };
const rules = (r: Partial<Record<keyof RoutingRuleSets, string[]>>): RoutingRuleSets => ({
  project: parseRoutingRules(r.project ?? []),
  subject: parseRoutingRules(r.subject ?? []),
  session: parseRoutingRules(r.session ?? []),
});
const valueOf = (h: Header) => (tag: number) => {
  const key = Object.entries({ ...TAGS, ...FIELD_TAGS }).find(([, t]) => t === tag)?.[0];
  return key ? (h as Record<string, string | undefined>)[key] : undefined;
};

interface Row {
  when: string;
  header: Header;
  request?: RequestLabels;
  receiver?: Partial<Record<keyof RoutingRuleSets, string[]>>;
  site?: Partial<Record<keyof RoutingRuleSets, string[]>>;
  then: { project?: string; subject?: string; session?: string };
}

const TABLE: Row[] = [
  { when: 'the request names an existing project', header: { StudyDescription: 'STUDYDESC' }, request: { project: 'P1' }, site: { project: ['(0008,1030):(.*)'] }, then: { project: 'P1' } },
  { when: 'the request project does not exist and the receiver has a rule', header: { Manufacturer: 'RXPROJ', AccessionNumber: 'ACC' }, request: { project: 'NOPE' }, receiver: { project: ['(0008,0070):(.*)'] }, site: { project: ['(0008,0050):(.*)'] }, then: { project: 'RXPROJ' } },
  { when: "the receiver rule's value is not a project", header: { Manufacturer: 'GE', AccessionNumber: 'RULEPROJ' }, receiver: { project: ['(0008,0070):(.*)'] }, site: { project: ['(0008,0050):(.*)'] }, then: { project: 'RULEPROJ' } },
  { when: 'an earlier site rule yields a non-project and a later one a project', header: { StudyDate: '20240101', AccessionNumber: '1234RULEPROJ' }, site: { project: ['(0008,0020):(.*)', '(0008,0050):^[0-9]{4}(.*)'] }, then: { project: 'RULEPROJ' } },
  { when: 'two site rules both yield projects', header: { Manufacturer: 'P1', AccessionNumber: 'ACC' }, site: { project: ['(0008,0070):(.*)', '(0008,0050):(.*)'] }, then: { project: 'P1' } },
  { when: 'a rule has t: and r:', header: { AccessionNumber: '12346789' }, site: { project: ['(0008,0050):^[0-9]{4}(.*):1 t:6 r:X'] }, then: { project: 'X789' } },
  { when: 'no rule matches and PatientComments names a project', header: { PatientComments: 'Project:ACC', StudyDescription: 'STUDYDESC' }, site: { project: ['(0008,0070):(.*)'] }, then: { project: 'ACC' } },
  { when: 'only StudyComments names a project', header: { StudyComments: 'x; Project: COMMENTS2;', StudyDescription: 'STUDYDESC' }, then: { project: 'COMMENTS2' } },
  { when: 'only AdditionalPatientHistory names a project', header: { AdditionalPatientHistory: 'Project:HIST3', AccessionNumber: 'ACC' }, then: { project: 'HIST3' } },
  { when: 'the comments name an unknown project', header: { PatientComments: 'Project:NOPE', StudyDescription: 'STUDYDESC' }, then: { project: 'STUDYDESC' } },
  { when: 'StudyDescription is not a project', header: { StudyDescription: 'Brain MRI', AccessionNumber: 'ACC' }, then: { project: 'ACC' } },
  { when: 'nothing names an existing project', header: { StudyDescription: 'Brain MRI', AccessionNumber: '999', PatientComments: 'Project:NOPE' }, site: { project: ['(0008,0050):(.*)'] }, then: { project: undefined } },
  { when: 'a subject rule captures part of PatientName', header: { PatientName: 'SampleDoe', PatientComments: 'Subject:fromcomment' }, site: { subject: ['(0010,0010):Sample.*?([\\w]+)'] }, then: { subject: 'Doe' } },
  { when: 'the request names the subject, over any rule', header: { PatientName: 'SampleDoe' }, request: { subject: 'REQSUBJ' }, site: { subject: ['(0010,0010):Sample(.*)'] }, then: { subject: 'REQSUBJ' } },
  { when: 'a subject rule does not match the whole value', header: { PatientName: 'Doe^Jane', PatientComments: 'Subject:s01' }, site: { subject: ['(0010,0010):(Jane)'] }, then: { subject: 's01' } },
  { when: 'nothing gives a subject', header: { PatientName: 'Doe^Jane' }, then: { subject: 'Doe_Jane' } },
  { when: 'a session rule reads StudyDate', header: { StudyDate: '20240102', PatientID: 'PID1' }, site: { session: ['(0008,0020):(.*)'] }, then: { session: '20240102' } },
  { when: 'a receiver session rule and a site session rule both match', header: { StudyDate: '20240102', InstitutionName: 'Site A' }, receiver: { session: ['(0008,0080):(.*)'] }, site: { session: ['(0008,0020):(.*)'] }, then: { session: 'Site_A' } },
  { when: 'no session rule matches and the comments are silent', header: { PatientID: 'ID 7' }, site: { session: ['(0008,0020):(.*)'] }, then: { session: 'ID_7' } },
  { when: 'nothing gives a session', header: {}, then: { session: 'dicom_upload' } },
  { when: 'a rule captures more than 64 characters', header: { StudyDate: 'S'.repeat(80) }, site: { session: ['(0008,0020):(.*)'] }, then: { session: 'S'.repeat(64) } },
];

describe('identification with routing rules (reference §3.1, §3.3)', () => {
  for (const row of TABLE) {
    const expected = Object.entries(row.then).map(([k, v]) => `${k} ${v ?? 'Unassigned'}`).join(', ');
    it(`When ${row.when}, then ${expected}`, () => {
      const routing = { receiver: row.receiver && rules(row.receiver), site: row.site && rules(row.site), valueOf: valueOf(row.header) };
      const got = identify(row.header, row.request ?? {}, exists, routing);
      for (const [k, v] of Object.entries(row.then)) expect(got[k as keyof typeof got]).toBe(v);
    });
  }

  it('When a rule does not parse, then it is refused with XNAT\'s message', () => {
    expect(() => parseRoutingRule('0008,0050:(.*)')).toThrow(/Failed to parse routing expression '0008,0050:\(\.\*\)'/);
    expect(() => parseRoutingRule('(0008,0050):(.*):2')).toThrow(/group 2 does not exist/);
    expect(() => parseRoutingRule('(0008,0050):([a-z)')).toThrow(/Failed to parse routing expression/);
  });
  it('When a rule names a tag, group and replacement, then they are read as written', () => {
    const r = parseRoutingRule('(0010,0010):SPP_([0-9x]*) t:[A-Za-z] r:X');
    expect(r.tag).toBe(0x00100010);
    expect(r.group).toBe(1);
    expect(r.replace?.replacement).toBe('X');
  });
});
