/** The DICOM byte layer: read a Part 10 file's layout, edit elements at any depth, write losslessly. */
export { DicomEditor, openDicom, type ElementEdit } from './editor';
export { writeEditedFile, editedFileParts, sha256File, COPY_CHUNK_BYTES, sourceChanged, type InputRange, type WrittenFile } from './writer';
export { openDicomBytes } from './memory-source';
export { readDicomFile, DicomFileIndex, type DicomElement, type ReadOptions } from './reader';
export type { FileOpener, RandomAccessFile } from './byte-source';
export { DicomReadError, DicomEditError, type DicomReadErrorCode, type DicomEditErrorCode } from './errors';
export type { CodeItem } from './code-sequence';
export { lookupTag, tagForKeyword, type TagInfo } from './dictionary';
export { formatTag, makeTag, TAG } from './tags';
export { encodeFileMeta, type FileMetaFields } from './file-meta';
export { isDicomdir, MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './dicomdir';
export type { InputConversion, InputConversionKind } from './converted-input';
export { dicomdirFileOf, encodeDicomdir, fileIdProblem, type DicomdirFile } from './dicomdir-writer';
