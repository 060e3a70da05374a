import { gzipSync } from 'node:zlib';

/** One entry of a test tar: a file by default; `type` '1' hard link, '2' symlink, '5' folder. */
export interface TarTestEntry {
  name: string;
  data?: Buffer;
  type?: '0' | '1' | '2' | '5';
  linkName?: string;
}

// An independent, minimal ustar writer for tests (the reader under test lives in src/storage/tar-reader.ts).
function header(e: TarTestEntry): Buffer {
  const h = Buffer.alloc(512);
  const size = e.type === undefined || e.type === '0' ? (e.data?.length ?? 0) : 0;
  let name = e.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 154);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkName) h.write(e.linkName, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A tar archive of the entries (ustar, two zero blocks at the end). */
export function tarBuffers(entries: TarTestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if ((e.type ?? '0') === '0' && e.data?.length) {
      parts.push(e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** The same, gzip-compressed (tar.gz). */
export function tgzBuffers(entries: TarTestEntry[]): Buffer {
  return gzipSync(tarBuffers(entries));
}
