/**
 * PS3.15 Table E.3.10-1 "Safe Private Attributes" (Retain Safe Private Option, E.3.10), as data: one row per table
 * row, in the table's order, with the table's VR, VM and meaning. Hand-checked transcription, not code.
 *
 * Source: the PS3.15 Annex E text (NEMA DocBook converted to reStructuredText) as mirrored in
 * github.com/chsasank/dicom_standard, file source/part15/chapter_E.rst, commit 2384a799 (2020-08-07), whose text
 * predates 2020. 130 rows. NOT re-checked against 2025b (the 2025b DocBook was not reachable from the build machines). A newer edition's
 * table goes beside this one, never edited in place. Empty `vr` = the standard gives no VR for that row.
 */

/** One row of Table E.3.10-1. */
export interface SafePrivateRow {
  /** The group (odd), e.g. 0x0019. */
  readonly group: number;
  /** The element's low byte within its private block (the "xx" of (gggg,xxee)). */
  readonly elementByte: number;
  /** The Private Creator value that reserves the block, exactly as the table spells it. */
  readonly creator: string;
  /** The VR the table gives ('' when it gives none). */
  readonly vr: string;
  /** The table's VM. */
  readonly vm: string;
  /** The table's meaning column (for reports and docs). */
  readonly meaning: string;
}

/** The edition this transcription follows. */
export const SAFE_PRIVATE_TABLE_EDITION = 'PS3.15 Table E.3.10-1 (text mirrored 2020-08, pre-2020 edition)';

/** Table E.3.10-1, row by row. */
export const SAFE_PRIVATE_TABLE: readonly SafePrivateRow[] = [
  { group: 0x7053, elementByte: 0x00, creator: "Philips PET Private Group", vr: 'DS', vm: '1', meaning: "SUV Factor - Multiplying stored pixel values by Rescale Slope then this factor results in SUVbw in g/l" },
  { group: 0x7053, elementByte: 0x09, creator: "Philips PET Private Group", vr: 'DS', vm: '1', meaning: "Activity Concentration Factor - Multiplying stored pixel values by Rescale Slope then this factor results in MBq/ml." },
  { group: 0x00E1, elementByte: 0x21, creator: "ELSCINT1", vr: 'DS', vm: '1', meaning: "DLP" },
  { group: 0x00E1, elementByte: 0x50, creator: "ELSCINT1", vr: 'DS', vm: '1', meaning: "Acquisition Duration" },
  { group: 0x01E1, elementByte: 0x26, creator: "ELSCINT1", vr: 'CS', vm: '1', meaning: "Phantom Type" },
  { group: 0x01F1, elementByte: 0x01, creator: "ELSCINT1", vr: 'CS', vm: '1', meaning: "Acquisition Type" },
  { group: 0x01F1, elementByte: 0x07, creator: "ELSCINT1", vr: 'DS', vm: '1', meaning: "Table Velocity" },
  { group: 0x01F1, elementByte: 0x26, creator: "ELSCINT1", vr: 'DS', vm: '1', meaning: "Pitch" },
  { group: 0x01F1, elementByte: 0x27, creator: "ELSCINT1", vr: 'DS', vm: '1', meaning: "Rotation Time" },
  { group: 0x0019, elementByte: 0x23, creator: "GEMS_ACQU_01", vr: 'DS', vm: '1', meaning: "Table Speed [mm/rotation]" },
  { group: 0x0019, elementByte: 0x24, creator: "GEMS_ACQU_01", vr: 'DS', vm: '1', meaning: "Mid Scan Time [sec]" },
  { group: 0x0019, elementByte: 0x27, creator: "GEMS_ACQU_01", vr: 'DS', vm: '1', meaning: "Rotation Speed (Gantry Period)" },
  { group: 0x0019, elementByte: 0x9E, creator: "GEMS_ACQU_01", vr: 'LO', vm: '1', meaning: "Internal Pulse Sequence Name" },
  { group: 0x0043, elementByte: 0x27, creator: "GEMS_PARM_01", vr: 'SH', vm: '1', meaning: "Scan Pitch Ratio in the form \"n.nnn:1\"" },
  { group: 0x0045, elementByte: 0x01, creator: "GEMS_HELIOS_01", vr: 'SS', vm: '1', meaning: "Number of Macro Rows in Detector" },
  { group: 0x0045, elementByte: 0x02, creator: "GEMS_HELIOS_01", vr: 'FL', vm: '1', meaning: "Macro width at ISO Center" },
  { group: 0x0903, elementByte: 0x10, creator: "GEIIS PACS", vr: 'US', vm: '1', meaning: "Reject Image Flag" },
  { group: 0x0903, elementByte: 0x11, creator: "GEIIS PACS", vr: 'US', vm: '1', meaning: "Significant Flag" },
  { group: 0x0903, elementByte: 0x12, creator: "GEIIS PACS", vr: 'US', vm: '1', meaning: "Confidential Flag" },
  { group: 0x2001, elementByte: 0x03, creator: "Philips Imaging DD 001", vr: 'FL', vm: '1', meaning: "Diffusion B-Factor" },
  { group: 0x2001, elementByte: 0x04, creator: "Philips Imaging DD 001", vr: 'CS', vm: '1', meaning: "Diffusion Direction" },
  { group: 0x0019, elementByte: 0x0C, creator: "SIEMENS MR HEADER", vr: 'IS', vm: '1', meaning: "B Value" },
  { group: 0x0019, elementByte: 0x0D, creator: "SIEMENS MR HEADER", vr: 'CS', vm: '1', meaning: "Diffusion Directionality" },
  { group: 0x0019, elementByte: 0x0E, creator: "SIEMENS MR HEADER", vr: 'FD', vm: '3', meaning: "Diffusion Gradient Direction" },
  { group: 0x0019, elementByte: 0x27, creator: "SIEMENS MR HEADER", vr: 'FD', vm: '6', meaning: "B Matrix" },
  { group: 0x0043, elementByte: 0x39, creator: "GEMS_PARM_01", vr: 'IS', vm: '4', meaning: "1st value is B Value" },
  { group: 0x0043, elementByte: 0x6F, creator: "GEMS_PARM_01", vr: 'DS', vm: '3-4', meaning: "Scanner Table Entry + Gradient Coil Selected" },
  { group: 0x0025, elementByte: 0x07, creator: "GEMS_SERS_01", vr: 'SL', vm: '1', meaning: "Images in Series" },
  { group: 0x7E01, elementByte: 0x01, creator: "HOLOGIC, Inc.", vr: 'LO', vm: '1', meaning: "Codec Version" },
  { group: 0x7E01, elementByte: 0x02, creator: "HOLOGIC, Inc.", vr: 'SH', vm: '1', meaning: "Codec Content Type" },
  { group: 0x7E01, elementByte: 0x10, creator: "HOLOGIC, Inc.", vr: 'SQ', vm: '1', meaning: "High Resolution Data Sequence" },
  { group: 0x7E01, elementByte: 0x11, creator: "HOLOGIC, Inc.", vr: 'SQ', vm: '1', meaning: "Low Resolution Data Sequence" },
  { group: 0x7E01, elementByte: 0x12, creator: "HOLOGIC, Inc.", vr: 'OB', vm: '1', meaning: "Codec Content" },
  { group: 0x0099, elementByte: 0x01, creator: "NQHeader", vr: 'UI', vm: '1', meaning: "Version" },
  { group: 0x0099, elementByte: 0x02, creator: "NQHeader", vr: 'UI', vm: '1', meaning: "Analyzed Series UID" },
  { group: 0x0099, elementByte: 0x04, creator: "NQHeader", vr: 'SS', vm: '1', meaning: "Return Code" },
  { group: 0x0099, elementByte: 0x05, creator: "NQHeader", vr: 'LT', vm: '1', meaning: "Return Message" },
  { group: 0x0099, elementByte: 0x10, creator: "NQHeader", vr: 'FL', vm: '1', meaning: "MI" },
  { group: 0x0099, elementByte: 0x20, creator: "NQHeader", vr: 'SH', vm: '1', meaning: "Units" },
  { group: 0x0099, elementByte: 0x21, creator: "NQHeader", vr: 'FL', vm: '1', meaning: "ICV" },
  { group: 0x0199, elementByte: 0x01, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Cortical White Matter" },
  { group: 0x0199, elementByte: 0x02, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Cortical Gray Matter" },
  { group: 0x0199, elementByte: 0x03, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left 3rd Ventricle" },
  { group: 0x0199, elementByte: 0x04, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left 4th Ventricle" },
  { group: 0x0199, elementByte: 0x05, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left 5th Ventricle" },
  { group: 0x0199, elementByte: 0x06, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Lateral Ventricle" },
  { group: 0x0199, elementByte: 0x07, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Inferior Lateral Ventricle" },
  { group: 0x0199, elementByte: 0x08, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Inferior CSF" },
  { group: 0x0199, elementByte: 0x09, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Cerebellar White Matter" },
  { group: 0x0199, elementByte: 0x0A, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Cerebellar Gray Matter" },
  { group: 0x0199, elementByte: 0x0B, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Hippocampus" },
  { group: 0x0199, elementByte: 0x0C, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Amygdala" },
  { group: 0x0199, elementByte: 0x0D, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Thalamus" },
  { group: 0x0199, elementByte: 0x0E, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Caudate" },
  { group: 0x0199, elementByte: 0x0F, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Putamen" },
  { group: 0x0199, elementByte: 0x10, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Pallidum" },
  { group: 0x0199, elementByte: 0x11, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Ventral Diencephalon" },
  { group: 0x0199, elementByte: 0x12, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Nucleus Accumbens" },
  { group: 0x0199, elementByte: 0x13, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Brain Stem" },
  { group: 0x0199, elementByte: 0x14, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Exterior CSF" },
  { group: 0x0199, elementByte: 0x15, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left WM Hypo" },
  { group: 0x0199, elementByte: 0x16, creator: "NQLeft", vr: 'FL', vm: '1', meaning: "Left Other" },
  { group: 0x0299, elementByte: 0x01, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Cortical White Matter" },
  { group: 0x0299, elementByte: 0x02, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Cortical Gray Matter" },
  { group: 0x0299, elementByte: 0x03, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right 3rd Ventricle" },
  { group: 0x0299, elementByte: 0x04, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right 4th Ventricle" },
  { group: 0x0299, elementByte: 0x05, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right 5th Ventricle" },
  { group: 0x0299, elementByte: 0x06, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Lateral Ventricle" },
  { group: 0x0299, elementByte: 0x07, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Inferior Lateral Ventricle" },
  { group: 0x0299, elementByte: 0x08, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Inferior CSF" },
  { group: 0x0299, elementByte: 0x09, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Cerebellar White Matter" },
  { group: 0x0299, elementByte: 0x0A, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Cerebellar Gray Matter" },
  { group: 0x0299, elementByte: 0x0B, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Hippocampus" },
  { group: 0x0299, elementByte: 0x0C, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Amygdala" },
  { group: 0x0299, elementByte: 0x0D, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Thalamus" },
  { group: 0x0299, elementByte: 0x0E, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Caudate" },
  { group: 0x0299, elementByte: 0x0F, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Putamen" },
  { group: 0x0299, elementByte: 0x10, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Pallidum" },
  { group: 0x0299, elementByte: 0x11, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Ventral Diencephalon" },
  { group: 0x0299, elementByte: 0x12, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Nucleus Accumbens" },
  { group: 0x0299, elementByte: 0x13, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Brain Stem" },
  { group: 0x0299, elementByte: 0x14, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Exterior CSF" },
  { group: 0x0299, elementByte: 0x15, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right WM Hypo" },
  { group: 0x0299, elementByte: 0x16, creator: "NQRight", vr: 'FL', vm: '1', meaning: "Right Other" },
  { group: 0x2005, elementByte: 0x0D, creator: "Philips MR Imaging DD 001", vr: 'FL', vm: '1', meaning: "Scale Intercept" },
  { group: 0x2005, elementByte: 0x0E, creator: "Philips MR Imaging DD 001", vr: 'FL', vm: '1', meaning: "Scale Slope" },
  { group: 0x0119, elementByte: 0x00, creator: "SIEMENS Ultrasound SC2000", vr: 'LO', vm: '1', meaning: "Acoustic Meta Information Version" },
  { group: 0x0119, elementByte: 0x01, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Common Acoustic Meta Information" },
  { group: 0x0119, elementByte: 0x02, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Multi Stream Sequence" },
  { group: 0x0119, elementByte: 0x03, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Acoustic Data Sequence" },
  { group: 0x0119, elementByte: 0x04, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Per Transaction Acoustic Control Information" },
  { group: 0x0119, elementByte: 0x05, creator: "SIEMENS Ultrasound SC2000", vr: 'UL', vm: '1', meaning: "Acoustic Data Offset" },
  { group: 0x0119, elementByte: 0x06, creator: "SIEMENS Ultrasound SC2000", vr: 'UL', vm: '1', meaning: "Acoustic Data Length" },
  { group: 0x0119, elementByte: 0x07, creator: "SIEMENS Ultrasound SC2000", vr: 'UL', vm: '1', meaning: "Footer Offset" },
  { group: 0x0119, elementByte: 0x08, creator: "SIEMENS Ultrasound SC2000", vr: 'UL', vm: '1', meaning: "Footer Length" },
  { group: 0x0119, elementByte: 0x09, creator: "SIEMENS Ultrasound SC2000", vr: 'SS', vm: '1', meaning: "Acoustic Stream Number" },
  { group: 0x0119, elementByte: 0x10, creator: "SIEMENS Ultrasound SC2000", vr: 'SH', vm: '1', meaning: "Acoustic Stream Type" },
  { group: 0x0119, elementByte: 0x11, creator: "SIEMENS Ultrasound SC2000", vr: '', vm: '1', meaning: "Stage Timer Time" },
  { group: 0x0119, elementByte: 0x12, creator: "SIEMENS Ultrasound SC2000", vr: '', vm: '1', meaning: "Stop Watch Time" },
  { group: 0x0119, elementByte: 0x13, creator: "SIEMENS Ultrasound SC2000", vr: 'IS', vm: '1', meaning: "Volume Rate" },
  { group: 0x0119, elementByte: 0x21, creator: "SIEMENS Ultrasound SC2000", vr: 'SH', vm: '1', meaning: "" },
  { group: 0x0129, elementByte: 0x00, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "MPR View Sequence" },
  { group: 0x0129, elementByte: 0x02, creator: "SIEMENS Ultrasound SC2000", vr: 'UI', vm: '1', meaning: "Bookmark UID" },
  { group: 0x0129, elementByte: 0x03, creator: "SIEMENS Ultrasound SC2000", vr: '', vm: '1', meaning: "Plane Origin Vector" },
  { group: 0x0129, elementByte: 0x04, creator: "SIEMENS Ultrasound SC2000", vr: '', vm: '1', meaning: "Row Vector" },
  { group: 0x0129, elementByte: 0x05, creator: "SIEMENS Ultrasound SC2000", vr: '', vm: '1', meaning: "Column Vector" },
  { group: 0x0129, elementByte: 0x06, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Visualization Sequence" },
  { group: 0x0129, elementByte: 0x07, creator: "SIEMENS Ultrasound SC2000", vr: 'UI', vm: '1', meaning: "Bookmark UID" },
  { group: 0x0129, elementByte: 0x08, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Visualization Information" },
  { group: 0x0129, elementByte: 0x09, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Application State Sequence" },
  { group: 0x0129, elementByte: 0x10, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Application State Information" },
  { group: 0x0129, elementByte: 0x11, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Referenced Bookmark Sequence" },
  { group: 0x0129, elementByte: 0x12, creator: "SIEMENS Ultrasound SC2000", vr: 'UI', vm: '1', meaning: "Referenced Bookmark UID" },
  { group: 0x0129, elementByte: 0x20, creator: "SIEMENS Ultrasound SC2000", vr: 'SQ', vm: '1', meaning: "Cine Parameters Sequence" },
  { group: 0x0129, elementByte: 0x21, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Cine Parameters Schema" },
  { group: 0x0129, elementByte: 0x22, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Values of Cine Parameters" },
  { group: 0x0129, elementByte: 0x29, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "" },
  { group: 0x0129, elementByte: 0x30, creator: "SIEMENS Ultrasound SC2000", vr: 'CS', vm: '1', meaning: "Raw Data Object Type" },
  { group: 0x0139, elementByte: 0x01, creator: "SIEMENS Ultrasound SC2000", vr: 'SL', vm: '1', meaning: "Physio Capture ROI" },
  { group: 0x0149, elementByte: 0x01, creator: "SIEMENS Ultrasound SC2000", vr: 'FD', vm: '1-n', meaning: "Vector of BROI Points" },
  { group: 0x0149, elementByte: 0x02, creator: "SIEMENS Ultrasound SC2000", vr: 'FD', vm: '1-n', meaning: "Start/End Timestamps of Strip Stream" },
  { group: 0x0149, elementByte: 0x03, creator: "SIEMENS Ultrasound SC2000", vr: 'FD', vm: '1-n', meaning: "Timestamps of Visible R-waves" },
  { group: 0x7FD1, elementByte: 0x01, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Acoustic Image and Footer Data" },
  { group: 0x7FD1, elementByte: 0x09, creator: "SIEMENS Ultrasound SC2000", vr: 'UI', vm: '1', meaning: "Volume Version ID" },
  { group: 0x7FD1, elementByte: 0x10, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "Volume Payload" },
  { group: 0x7FD1, elementByte: 0x11, creator: "SIEMENS Ultrasound SC2000", vr: 'OB', vm: '1', meaning: "After Payload" },
  { group: 0x7FD1, elementByte: 0x01, creator: "SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING", vr: 'OB', vm: '1', meaning: "Padding" },
  { group: 0x7FD1, elementByte: 0x09, creator: "SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING", vr: 'UI', vm: '1', meaning: "Version ID" },
  { group: 0x7FD1, elementByte: 0x10, creator: "SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING", vr: 'OB', vm: '1', meaning: "Volume Payload" },
  { group: 0x7FD1, elementByte: 0x11, creator: "SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING", vr: 'OB', vm: '1', meaning: "After Payload" },
];
