import { buildDicom } from '../../src/dicom/synthetic';
import { zipBuffers } from '../../src/storage/zip-write';

/** Header values a synthetic study carries (canaries in the PHI tests). */
export interface StudyIdentity {
  patientName: string;
  patientId: string;
  birthDate: string;
}

let studyCounter = 0;

/** A synthetic study of `n` slices, zipped as study/1.dcm…; each call makes a new StudyInstanceUID. */
export async function studyZip(
  identity: StudyIdentity,
  n = 3,
  extra: { name: string; data: Buffer }[] = [],
): Promise<{ zip: Buffer; files: Buffer[] }> {
  studyCounter++;
  const study = `2.25.${Date.now()}${process.pid}${studyCounter}`;
  const files = Array.from({ length: n }, (_, i) =>
    buildDicom({
      rows: 32,
      columns: 64,
      elements: {
        PatientName: identity.patientName,
        PatientID: identity.patientId,
        PatientBirthDate: identity.birthDate,
        StudyInstanceUID: study,
        SeriesInstanceUID: `${study}.1`,
        SOPInstanceUID: `${study}.1.${i + 1}`,
        SeriesNumber: '1',
        InstanceNumber: String(i + 1),
      },
    }),
  );
  const zip = await zipBuffers([...files.map((data, i) => ({ name: `study/${i + 1}.dcm`, data })), ...extra]);
  return { zip, files };
}
