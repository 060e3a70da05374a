// What the JSON log never shows. Keys are matched at the top level and one level down (pino's redact paths);
// values under them are replaced, so a stray `log.info({ PatientName })` or a logged header set cannot leak.

/** DICOM attributes that identify a person or a visit (raw header values; DESIGN invariant 2). */
export const PHI_KEYS = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientBirthTime', 'PatientSex', 'PatientAge', 'PatientAddress',
  'PatientTelephoneNumbers', 'OtherPatientIDs', 'OtherPatientNames', 'PatientMotherBirthName', 'AccessionNumber',
  'InstitutionName', 'InstitutionAddress', 'ReferringPhysicianName', 'PerformingPhysicianName', 'OperatorsName',
  'StudyDescription', 'SeriesDescription', 'StudyID', 'patientName', 'patientId', 'patientBirthDate', 'accessionNumber',
  // Whole collections of header values, whatever shape they come in.
  'elements', 'dataset', 'headerValues',
] as const;

/** Secrets and HTTP header sets (bearer tokens, cookies, key material). */
// taskToken: the Temporal SDK adds it to activity log lines; whoever holds it can complete the activity.
export const SECRET_KEYS = ['authorization', 'cookie', 'headers', 'token', 'codecToken', 'password', 'secret', 'key', 'keys', 'apiKey', 'taskToken'] as const;

/** pino `redact.paths` for every key above, at the top level and nested once. */
export const REDACT_PATHS: string[] = [...PHI_KEYS, ...SECRET_KEYS].flatMap((k) => [k, `*.${k}`]);

/** The text a redacted value is replaced with. */
export const REDACTED = '[redacted]';
