/** Which transfer syntaxes we edit in place, and how their datasets are encoded. */
import { DicomReadError } from './errors';

/** Dataset encodings we can edit byte-for-byte. */
export type DatasetEncoding = 'implicit-le' | 'explicit-le';

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** Explicit VR Little Endian: what converted inputs and the files this project generates are written in. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
// Refused: its dataset is deflated and its pixel data is a reference to elsewhere. Explicit VR Big Endian and Deflated
// Explicit VR Little Endian never get here: the reader converts them first (converted-input.ts).
const REFUSED: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
};

/** The dataset encoding of a transfer syntax UID; throws UNSUPPORTED_TRANSFER_SYNTAX for those we refuse. */
export function datasetEncodingOf(transferSyntaxUid: string | undefined): DatasetEncoding {
  if (transferSyntaxUid === undefined || transferSyntaxUid === '') {
    throw new DicomReadError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      'the file meta information has no Transfer Syntax UID (0002,0010); re-export the file with a complete meta header',
    );
  }
  if (!/^[0-9.]+$/.test(transferSyntaxUid)) {
    throw new DicomReadError('UNSUPPORTED_TRANSFER_SYNTAX', 'Transfer Syntax UID (0002,0010) is not a valid UID');
  }
  const refused = REFUSED[transferSyntaxUid];
  if (refused !== undefined) {
    throw new DicomReadError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `transfer syntax ${transferSyntaxUid} (${refused}) is not supported; convert the file to Explicit VR Little Endian first`,
    );
  }
  // Every other transfer syntax (native explicit LE and all encapsulated ones) encodes the dataset in explicit VR LE.
  return transferSyntaxUid === IMPLICIT_VR_LITTLE_ENDIAN ? 'implicit-le' : 'explicit-le';
}
