/**
 * Bounded loading of a file's header bytes. A segment is a contiguous run of bytes starting at a fixed file offset
 * that grows (at least doubling, 64 KB first) as the walk needs more; pixel data splits the file into a segment
 * before it and one after it, and is never loaded. The total held is capped so hostile input cannot exhaust memory.
 */
import type { ByteSource } from './byte-source';
import { DicomReadError } from './errors';
import type { ByteView } from './element-walker';

const FIRST_READ_BYTES = 64 * 1024;

/** A growable in-memory copy of bytes [start, start + bytes.length) of a file. */
export class FileSegment implements ByteView {
  bytes: Buffer = Buffer.alloc(0);
  constructor(readonly base: number) {}

  /** Absolute offset just past the loaded bytes. */
  get end(): number {
    return this.base + this.bytes.length;
  }

  /** Forgets the bytes from absolute offset `at` on (read ahead into pixel data, for instance). */
  truncateAt(at: number): void {
    // Copy, so the read-ahead beyond `at` (up to half the buffer) is released with the old buffer.
    this.bytes = Buffer.from(this.bytes.subarray(0, Math.max(0, at - this.base)));
  }
}

/** Loads segments of one open file, holding at most `maxBytes` in total. */
export class SegmentLoader {
  private heldByOthers = 0;

  constructor(
    private readonly file: ByteSource,
    readonly fileSize: number,
    private readonly maxBytes: number,
  ) {}

  /** Starts a new segment at `base`; the previous one is kept by the caller and counted against the cap. */
  open(base: number, previous?: FileSegment): FileSegment {
    if (previous !== undefined) this.heldByOthers += previous.bytes.length;
    return new FileSegment(base);
  }

  /** Bytes held in all segments so far (including `current`). */
  held(current: FileSegment): number {
    return this.heldByOthers + current.bytes.length;
  }

  /**
   * Loads `segment` up to at least absolute offset `upTo`. `where` names the element being read, for messages.
   * Throws TRUNCATED when the file ends first and HEADER_TOO_LARGE when the cap would be exceeded.
   */
  async growTo(segment: FileSegment, upTo: number, where: string): Promise<void> {
    if (upTo <= segment.end) return;
    if (upTo > this.fileSize) {
      throw new DicomReadError('TRUNCATED', `${where} needs bytes up to offset ${upTo} but the file ends at byte ${this.fileSize}`);
    }
    const budget = this.maxBytes - this.heldByOthers;
    if (upTo - segment.base > budget) {
      throw new DicomReadError('HEADER_TOO_LARGE', `${where} would take the header beyond the ${this.maxBytes}-byte limit (maxHeaderBytes)`);
    }
    const whole = this.file.wholeBytes;
    if (whole !== undefined) {
      // The file is already in memory (memory-source.ts): the segment is a view of it, to the end or the cap.
      segment.bytes = whole.subarray(segment.base, segment.base + Math.min(this.fileSize - segment.base, budget));
      return;
    }
    const wanted = Math.max(upTo - segment.base, 2 * segment.bytes.length, FIRST_READ_BYTES);
    const length = Math.min(wanted, this.fileSize - segment.base, budget);
    const grown = Buffer.allocUnsafe(length);
    segment.bytes.copy(grown);
    let filled = segment.bytes.length;
    while (filled < length) {
      const { bytesRead } = await this.file.read(grown, filled, length - filled, segment.base + filled);
      if (bytesRead === 0) {
        throw new DicomReadError('TRUNCATED', `the file shrank while being read (at byte ${segment.base + filled})`);
      }
      filled += bytesRead;
    }
    segment.bytes = grown;
  }
}
