import { toLabelChars } from './labels';
import { routingCandidates, type RoutingRule } from './routing-rules';

/** The header values identification reads, by keyword. Read in memory only; never stored or logged. */
export interface IdentificationHeader {
  PatientComments?: string;
  StudyComments?: string;
  AdditionalPatientHistory?: string;
  StudyDescription?: string;
  AccessionNumber?: string;
  PatientName?: string;
  PatientID?: string;
}

/** Labels given with the request (XNAT: PROJECT_ID/project, SUBJECT_ID/subject, EXPT_LABEL/session). */
export interface RequestLabels {
  project?: string;
  subject?: string;
  session?: string;
}

/** Where a session belongs: project (undefined means Unassigned), subject and session labels. */
export interface Identification {
  project?: string;
  subject: string;
  session: string;
  /** `AA:` override found in the comment fields: true/false, or undefined when absent. */
  autoArchive?: boolean;
}

/** Custom routing rules for each of the three labels (reference §3.3). */
export interface RoutingRuleSets {
  project: RoutingRule[];
  subject: RoutingRule[];
  session: RoutingRule[];
}

/** The routing rules that apply to one file and a way to read any element they name (in memory only). */
export interface IdentifyRouting {
  /** The receiver's own rules, tried first (XNAT-6990 per-receiver routing). */
  receiver?: RoutingRuleSets;
  /** The site-wide rules (config dicom/projectRules, subjectRules, sessionRules). */
  site?: RoutingRuleSets;
  valueOf: (tag: number) => string | undefined;
}

/** The header tags identification reads, for callers that fetch them from a file. */
export const IDENTIFICATION_TAGS: Record<keyof IdentificationHeader, number> = {
  PatientComments: 0x00104000,
  StudyComments: 0x00324000,
  AdditionalPatientHistory: 0x001021b0,
  StudyDescription: 0x00081030,
  AccessionNumber: 0x00080050,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
};

const COMMENT_FIELDS = ['PatientComments', 'StudyComments', 'AdditionalPatientHistory'] as const;

/**
 * Maps a DICOM header to project / subject / session as XNAT 1.8 does (reference §3.1). Project: request, receiver
 * rules, site rules, `Project:` in the comment fields, StudyDescription, AccessionNumber; each candidate counts only
 * if `projectExists` says so, else the next is tried, and none leaves the project undefined (Unassigned).
 * Subject: request, receiver rules, site rules, `Subject:` in comments, PatientName. Session: request, receiver rules,
 * site rules, `Session:` in comments, PatientID, then "dicom_upload". For subject and session the first non-blank
 * value wins. Labels are sanitised to XNAT label characters.
 */
export function identify(header: IdentificationHeader, request: RequestLabels, projectExists: (id: string) => boolean, routing?: IdentifyRouting): Identification {
  const fromComments = (key: string) => {
    for (const field of COMMENT_FIELDS) {
      const v = extractContainedAssignment(header[field], key);
      if (v) return v;
    }
    return undefined;
  };
  const fromRules = (which: keyof RoutingRuleSets) =>
    routing ? [...routingCandidates(routing.receiver?.[which] ?? [], routing.valueOf), ...routingCandidates(routing.site?.[which] ?? [], routing.valueOf)] : [];
  const projectCandidates = [request.project, ...fromRules('project'), fromComments('Project'), header.StudyDescription, header.AccessionNumber];
  const project = projectCandidates.map((c) => c?.trim()).find((c): c is string => !!c && projectExists(c));
  const subject = firstNonBlank(request.subject, ...fromRules('subject'), fromComments('Subject'), header.PatientName) ?? '';
  const session = firstNonBlank(request.session, ...fromRules('session'), fromComments('Session'), header.PatientID) ?? 'dicom_upload';
  const aa = fromComments('AA')?.toLowerCase();
  return {
    project,
    subject: toLabelChars(subject),
    session: toLabelChars(session),
    autoArchive: aa === 't' || aa === 'true' ? true : aa === 'f' || aa === 'false' ? false : undefined,
  };
}

/**
 * XNAT's ContainedAssignmentExtractor: finds `Key:value` (case-insensitive key) in free text, where assignments are
 * separated by whitespace, `,` or `;` and values are `[A-Za-z0-9_-]*`.
 */
export function extractContainedAssignment(text: string | undefined, key: string): string | undefined {
  if (!text) return undefined;
  const re = new RegExp(`(?:^|[\\s,;])${key}\\s*:\\s*([\\w-]*)(?:[\\s,;]|$)`, 'i');
  const m = re.exec(text);
  return m && m[1] ? m[1] : undefined;
}

function firstNonBlank(...values: (string | undefined)[]): string | undefined {
  return values.map((v) => v?.trim()).find((v): v is string => !!v);
}
