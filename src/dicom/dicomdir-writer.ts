/**
 * Generates a DICOMDIR (PS3.10 §8, PS3.3 Annex F) for a set of de-identified files: File-set ID, one PATIENT /
 * STUDY / SERIES / IMAGE record hierarchy built from the files' own (already de-identified) headers, byte offsets
 * from the start of the DICOMDIR file, and Referenced File IDs relative to the DICOMDIR's folder. Key values are
 * copied as the bytes each file holds (so their character set stays right, with (0008,0005) copied too); a key a
 * file lacks is written empty. Every object gets an IMAGE record (docs/profile.md, "DICOMDIR").
 */
import { createHash } from 'node:crypto';
import type { DicomEditor } from './editor';
import { encodeElement, encodeItem } from './element-encoder';
import { lookupTag } from './dictionary';
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './dicomdir';
import { encodeFileMeta, text, uid } from './file-meta';
import { TAG } from './tags';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax';

const SPECIFIC_CHARACTER_SET = 0x00080005;
const FILE_ID_COMPONENT = /^[A-Z0-9_]{1,8}$/;
// PS3.10 §8.2: at most 8 components.
const MAX_FILE_ID_COMPONENTS = 8;

/** The record levels and the keys each one copies from the files (PS3.3 F.5.1-F.5.4: Type 1 and 2 keys). */
const LEVELS = [
  { type: 'PATIENT', identity: [0x00100020, 0x00100010], keys: [0x00100010, 0x00100020] },
  { type: 'STUDY', identity: [0x0020000d], keys: [0x00080020, 0x00080030, 0x00080050, 0x00081030, 0x0020000d, 0x00200010] },
  { type: 'SERIES', identity: [0x0020000e], keys: [0x00080060, 0x0020000e, 0x00200011] },
  { type: 'IMAGE', identity: [], keys: [0x00200013] },
] as const;

/** One de-identified file of the set: its File ID components and the encoded key elements it holds. */
export interface DicomdirFile {
  readonly fileId: readonly string[];
  /** Key elements by tag, each encoded in explicit VR LE; absent keys are written empty. */
  readonly elements: ReadonlyMap<number, Buffer>;
  /** Identity of the file at each level ("" for IMAGE). */
  readonly identity: readonly string[];
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
}

/** Why `components` is not a valid Referenced File ID, or undefined when it is (PS3.10 §8.2, 8.5). */
export function fileIdProblem(components: readonly string[]): string | undefined {
  if (components.length === 0 || components.length > MAX_FILE_ID_COMPONENTS) return `a File ID has 1 to ${MAX_FILE_ID_COMPONENTS} components, not ${components.length}`;
  const bad = components.find((c) => !FILE_ID_COMPONENT.test(c));
  return bad === undefined ? undefined : `the path component "${bad}" is not 1 to 8 characters of A-Z, 0-9 and _`;
}

/** The DICOMDIR-relevant part of a (de-identified) file read by the editor. */
export function dicomdirFileOf(editor: DicomEditor, fileId: readonly string[]): DicomdirFile {
  const elements = new Map<number, Buffer>();
  const tags = new Set<number>([SPECIFIC_CHARACTER_SET, ...LEVELS.flatMap((l) => l.keys)]);
  for (const tag of tags) {
    const element = editor.originalElement(tag);
    const value = element === undefined ? undefined : editor.index.valueBytes(element);
    if (value !== undefined) elements.set(tag, encodeElement(tag, lookupTag(tag)?.vr ?? 'UN', value, true));
  }
  const text = (tag: number) => editor.getString(tag) ?? '';
  return {
    fileId,
    elements,
    identity: LEVELS.map((l) => l.identity.map((t) => text(t)).join('\\')),
    sopClassUid: text(TAG.SOPClassUID),
    sopInstanceUid: text(TAG.SOPInstanceUID),
    transferSyntaxUid: editor.index.transferSyntaxUid,
  };
}

interface RecordNode {
  readonly level: number;
  readonly file: DicomdirFile;
  readonly identity: string;
  readonly children: RecordNode[];
  /** Absolute offset of the record's item in the DICOMDIR file, once laid out. */
  offset: number;
}

/** The whole DICOMDIR file (preamble, File Meta, dataset) for `files`, in the order given. */
export function encodeDicomdir(files: readonly DicomdirFile[], fileSetId: string): Buffer {
  const roots: RecordNode[] = [];
  for (const file of files) {
    let siblings = roots;
    for (let level = 0; level < LEVELS.length; level++) {
      const identity = file.identity[level] ?? '';
      let node = level < LEVELS.length - 1 ? siblings.find((n) => n.identity === identity) : undefined;
      if (node === undefined) {
        node = { level, file, identity, children: [], offset: 0 };
        siblings.push(node);
      }
      siblings = node.children;
    }
  }
  const ordered: RecordNode[] = [];
  const siblingsOf = new Map<RecordNode, RecordNode[]>();
  const visit = (nodes: RecordNode[]): void => {
    for (const n of nodes) {
      ordered.push(n);
      siblingsOf.set(n, nodes);
      visit(n.children);
    }
  };
  visit(roots);

  // Same SOP Instances give the same DICOMDIR (deterministic output, like every other file this project writes).
  const digest = createHash('sha256').update(files.map((f) => f.sopInstanceUid).join('\n')).digest('hex').slice(0, 32);
  const meta = encodeFileMeta({ sopClassUid: MEDIA_STORAGE_DIRECTORY_SOP_CLASS, sopInstanceUid: `2.25.${BigInt(`0x${digest}`).toString()}`, transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN });
  const head = (first: number, last: number) =>
    Buffer.concat([
      encodeElement(0x00041130, 'CS', text(fileSetId), true),
      encodeElement(0x00041200, 'UL', ul(first), true),
      encodeElement(0x00041202, 'UL', ul(last), true),
      encodeElement(0x00041212, 'US', us(0), true),
    ]);
  // Offsets are fixed-size values, so one layout pass with zeros gives every record's position.
  const next = (siblings: RecordNode[], n: RecordNode) => siblings[siblings.indexOf(n) + 1]?.offset ?? 0;
  const encodeAll = () => ordered.map((n) => encodeItem(encodeRecord(n, next(siblingsOf.get(n)!, n), n.children[0]?.offset ?? 0), false));
  let pos = meta.length + head(0, 0).length + 12;
  for (const [i, item] of encodeAll().entries()) {
    ordered[i]!.offset = pos;
    pos += item.length;
  }
  const items = Buffer.concat(encodeAll());
  const sequence = encodeElement(TAG.DirectoryRecordSequence, 'SQ', items, true);
  return Buffer.concat([meta, head(roots[0]?.offset ?? 0, roots.at(-1)?.offset ?? 0), sequence]);
}

function encodeRecord(node: RecordNode, nextOffset: number, childOffset: number): Buffer {
  const level = LEVELS[node.level]!;
  const parts: Buffer[] = [
    encodeElement(0x00041400, 'UL', ul(nextOffset), true),
    encodeElement(0x00041410, 'US', us(0xffff), true),
    encodeElement(0x00041420, 'UL', ul(childOffset), true),
    encodeElement(0x00041430, 'CS', text(level.type), true),
  ];
  if (level.type === 'IMAGE') {
    parts.push(
      encodeElement(0x00041500, 'CS', text(node.file.fileId.join('\\')), true),
      encodeElement(0x00041510, 'UI', uid(node.file.sopClassUid), true),
      encodeElement(0x00041511, 'UI', uid(node.file.sopInstanceUid), true),
      encodeElement(0x00041512, 'UI', uid(node.file.transferSyntaxUid), true),
    );
  }
  const charset = node.file.elements.get(SPECIFIC_CHARACTER_SET);
  if (charset !== undefined) parts.push(charset);
  for (const tag of [...level.keys].sort((a, b) => a - b)) {
    parts.push(node.file.elements.get(tag) ?? encodeElement(tag, lookupTag(tag)?.vr ?? 'UN', Buffer.alloc(0), true));
  }
  return Buffer.concat(parts);
}

const ul = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};
