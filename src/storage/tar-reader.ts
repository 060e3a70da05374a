/**
 * A streaming reader of tar archives (POSIX ustar, pax and GNU long names), written for uploads: it yields each
 * entry's header and lets the caller stream its body; it never touches the file system itself.
 */

/** One tar entry. `type` is the typeflag: '0' file, '5' folder, '1' hard link, '2' symlink, others refused. */
export interface TarEntry {
  /** 1-based position among the archive's entries (pax and long-name records not counted). */
  index: number;
  name: string;
  type: string;
  size: number;
  /** Streams the entry's body; call at most once, before asking for the next entry. */
  body(): AsyncGenerator<Buffer>;
}

/** The stream is not a tar archive, or is damaged or truncated. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    return true;
  }

  /** Exactly n bytes, or undefined at a clean end of input; a partial block is a truncated archive. */
  async exact(n: number): Promise<Buffer | undefined> {
    while (this.buf.length < n) if (!(await this.fill())) break;
    if (this.buf.length === 0) return undefined;
    if (this.buf.length < n) throw new TarFormatError('the archive is truncated');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Up to `n` bytes as they arrive. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!this.buf.length && !(await this.fill())) throw new TarFormatError('the archive is truncated');
      const take = Math.min(left, this.buf.length);
      const out = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
      yield out;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n)); // eslint-disable-line @typescript-eslint/no-unused-vars
  }
}

const text = (b: Buffer, from: number, len: number) => {
  const s = b.subarray(from, from + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
};

function number(b: Buffer, from: number, len: number): number {
  const field = b.subarray(from, from + len);
  if (field[0] & 0x80) {
    // GNU base-256 for sizes over 8 GiB.
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const s = text(b, from, len).trim();
  if (s && !/^[0-7]+$/.test(s)) throw new TarFormatError('a header has a malformed number; the upload is not a tar archive');
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  try {
    return sum === number(h, 148, 8);
  } catch {
    return false; // a checksum field that is not a number: not a tar header
  }
}

function paxRecords(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const len = Number(body.subarray(at, space).toString('latin1'));
    if (space < 0 || !Number.isInteger(len) || len <= 0) break;
    const record = body.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

const padded = (n: number) => Math.ceil(n / 512) * 512;
// Metadata records (pax headers, GNU long names) are small; a huge one is an attack, not an archive.
const MAX_META_BYTES = 1024 * 1024;

/** The entries of a tar stream, in order. Each entry's body must be read (or left) before the next is asked for. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let index = 0;
  let pending: { name?: string; size?: number } = {};
  for (;;) {
    const h = await reader.exact(512);
    if (!h) return;
    if (h.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(h)) throw new TarFormatError(index === 0 ? 'the upload is not a zip, tar or tar.gz archive' : `the header after member #${index} is damaged`);
    const type = String.fromCharCode(h[156] || 0x30);
    let size = number(h, 124, 12);
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META_BYTES) throw new TarFormatError(`a metadata record after member #${index} is ${size} bytes; refused`);
      const body = (await reader.exact(padded(size)))?.subarray(0, size);
      if (!body) throw new TarFormatError('the archive is truncated');
      if (type === 'x') {
        const pax = paxRecords(body);
        if (pax.has('path')) pending.name = pax.get('path');
        if (pax.has('size')) pending.size = Number(pax.get('size'));
      } else if (type === 'L') {
        pending.name = text(body, 0, body.length);
      }
      continue;
    }
    const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = ustar ? text(h, 345, 155) : '';
    const name = pending.name ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    size = pending.size ?? size;
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(`member #${index + 1} has an invalid size`);
    pending = {};
    index++;
    // Links, devices and folders carry no body (a hard link's size field is 0 in practice; pax may say otherwise).
    const bodySize = type === '0' || type === '7' ? size : type === '5' || type === '1' || type === '2' ? 0 : size;
    let started = false;
    let consumed = false;
    const entry: TarEntry = {
      index,
      name,
      type,
      size: bodySize,
      body: async function* () {
        if (started) throw new Error('a tar entry body can be read only once');
        started = true;
        yield* reader.chunks(bodySize);
        consumed = true;
      },
    };
    yield entry;
    if (!started) await reader.skip(bodySize);
    else if (!consumed) throw new Error('a tar entry body was left half read');
    await reader.skip(padded(bodySize) - bodySize);
  }
}
