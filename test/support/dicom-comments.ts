import { DicomEditor, writeEditedFile } from '../../src/dicom';

/**
 * Copies of the files with (0010,4000) Patient Comments set, as a modality that follows XNAT's
 * "Project:P Subject:S Session:E" convention would send them. Written beside the originals as `*.labelled.dcm`.
 */
export async function writeCommentedCopies(paths: string[], comments: string): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const editor = await DicomEditor.open(path);
    editor.setString(0x00104000, comments);
    const target = path.replace(/\.dcm$/, '.labelled.dcm');
    await writeEditedFile(editor, target);
    out.push(target);
  }
  return out;
}
