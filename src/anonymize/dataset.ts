/**
 * The view of one DICOM instance that the DicomEdit engine reads and edits.
 * `src/dicom/` implements it over a byte-range editor; tests may implement it in memory.
 * Tags are numbers: (group << 16 | element) >>> 0, e.g. PatientName (0010,0010) is 0x00100010.
 * Values are strings as DicomEdit sees them: text trimmed of DICOM padding, multiple values joined with "\\".
 */
export interface EditableDataset {
  /** The value of a top-level element as a string, or undefined when the element is absent. */
  getString(tag: number): string | undefined;
  /** Writes a string value into a top-level element, creating it with the dictionary VR when absent. */
  setString(tag: number, value: string): void;
  /** Removes a top-level element; does nothing when it is absent. */
  delete(tag: number): void;
  /** True when the top-level element is present (even with an empty value). */
  has(tag: number): boolean;
  /** The top-level tags present, in ascending order. */
  tags(): number[];
}
