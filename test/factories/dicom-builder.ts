/**
 * Test factory for DICOM files. The builder itself lives in src/dicom/synthetic.ts because the demo loader uses it
 * too; tests import it from here so that test code has one place to look for factories.
 */
export { buildDicom, buildDicomPrefix, syntheticUid, type SyntheticDicomOptions } from '../../src/dicom/synthetic';
