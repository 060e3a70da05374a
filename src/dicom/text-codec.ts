/**
 * Character sets (PS3.5 §6.1, PS3.3 C.12.1.1.2) for values of SH, LO, ST, LT, PN, UC and UT.
 * We decode and encode what we can do exactly (default, ISO 8859 family, UTF-8; GB18030 decode only) and refuse
 * the rest, most notably ISO 2022 escape sequences: untouched bytes stay untouched, edited ones are never guessed.
 */
import { DicomEditError } from './errors';

/** Decodes and encodes text values of one dataset. */
export interface TextCodec {
  /** The (0008,0005) value it was built from, for messages. */
  readonly label: string;
  /** Decodes value bytes; throws UNSUPPORTED_CHARSET when the bytes cannot be decoded exactly. */
  decode(bytes: Buffer): string;
  /** Encodes a value; throws UNSUPPORTED_CHARSET when a character cannot be written in this character set. */
  encode(text: string): Buffer;
}

const ESC = 0x1b;

// Defined terms of single-byte sets, by ISO_IR number, with their WHATWG encoding label.
const SINGLE_BYTE_LABELS: Readonly<Record<string, string>> = {
  '100': 'latin1',
  '101': 'iso-8859-2',
  '109': 'iso-8859-3',
  '110': 'iso-8859-4',
  '144': 'iso-8859-5',
  '127': 'iso-8859-6',
  '126': 'iso-8859-7',
  '138': 'iso-8859-8',
  '148': 'iso-8859-9',
  '203': 'iso-8859-15',
  '166': 'windows-874',
};

function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80 || b === ESC) return false;
  return true;
}

// The shapes of PS3.3 C.12.1.1.2's defined terms. A file can put anything in (0008,0005), so only a value of
// these shapes is quoted in an error message; anything else could be a header value a person typed.
const DEFINED_TERM = /^(|ISO_IR \d{1,3}|ISO 2022 IR \d{1,3}|GB18030|GBK)$/;

function unsupported(label: string, what: string): DicomEditError {
  const shown = label.split('\\').every((term) => DEFINED_TERM.test(term.trim())) ? `"${label}"` : '(a value that is not a defined term)';
  return new DicomEditError('UNSUPPORTED_CHARSET', `${what} in Specific Character Set ${shown} is not supported; only ASCII values can be read or written in this file`);
}

interface Charset {
  decode(bytes: Buffer): string | undefined;
  encode(text: string): Buffer | undefined;
}

const ASCII_ONLY: Charset = {
  decode: (bytes) => (isAscii(bytes) ? bytes.toString('latin1') : undefined),
  encode: (text) => (/^[\x00-\x7f]*$/.test(text) && !text.includes('\x1b') ? Buffer.from(text, 'latin1') : undefined),
};

// The default repertoire is ASCII; bytes above 0x7F in such files are, in practice, Latin-1, so we read them so.
// We never write them: a non-ASCII value in a file without (0008,0005) would be wrong bytes.
const DEFAULT_REPERTOIRE: Charset = {
  decode: (bytes) => (bytes.includes(ESC) ? undefined : bytes.toString('latin1')),
  encode: ASCII_ONLY.encode,
};

// A lone surrogate has no UTF-8 encoding; Buffer.from would silently write U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UTF8: Charset = {
  decode: (bytes) => new TextDecoder('utf-8', { fatal: false }).decode(bytes),
  encode: (text) => (LONE_SURROGATE.test(text) ? undefined : Buffer.from(text, 'utf8')),
};

const singleByteCache = new Map<string, Charset>();

/** A single-byte set: decode with the platform's decoder, encode by inverting its 256-entry table. */
function singleByte(label: string): Charset {
  const cached = singleByteCache.get(label);
  if (cached !== undefined) return cached;
  const decoder = new TextDecoder(label);
  const table = decoder.decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  const toByte = new Map<string, number>();
  [...table].forEach((char, byte) => {
    if (char !== '\ufffd' && byte !== ESC && !toByte.has(char)) toByte.set(char, byte);
  });
  const charset: Charset = {
    decode: (bytes) => (bytes.includes(ESC) ? undefined : decoder.decode(bytes)),
    encode: (text) => {
      const out: number[] = [];
      for (const char of text) {
        const byte = toByte.get(char);
        if (byte === undefined) return undefined;
        out.push(byte);
      }
      return Buffer.from(out);
    },
  };
  singleByteCache.set(label, charset);
  return charset;
}

const DECODE_ONLY_LABELS: Readonly<Record<string, string>> = { GB18030: 'gb18030', GBK: 'gbk' };

/** The charset named by one defined term, or undefined when we do not support it. */
function charsetForTerm(term: string): Charset | undefined {
  if (term === '' || term === 'ISO_IR 6' || term === 'ISO 2022 IR 6') return DEFAULT_REPERTOIRE;
  if (term === 'ISO_IR 192') return UTF8;
  const single = /^ISO(?:_IR| 2022 IR) (\d+)$/.exec(term);
  if (single !== null) {
    const label = SINGLE_BYTE_LABELS[single[1] ?? ''];
    return label === undefined ? undefined : singleByte(label);
  }
  const decodeOnly = DECODE_ONLY_LABELS[term];
  if (decodeOnly !== undefined) {
    const decoder = new TextDecoder(decodeOnly);
    return { decode: (bytes) => decoder.decode(bytes), encode: () => undefined };
  }
  return undefined;
}

/** Builds the codec for a (0008,0005) value (undefined or empty: the default repertoire). */
export function textCodecFor(specificCharacterSet: string | undefined): TextCodec {
  const label = (specificCharacterSet ?? '').trim();
  const terms = label.split('\\').map((t) => t.trim());
  // With code extensions (several terms) the first term is the initial G0/G1 designation; values without escape
  // sequences are encoded in it alone, so we can handle those and refuse any value that switches sets.
  const charset = charsetForTerm(terms[0] ?? '') ?? ASCII_ONLY;
  return {
    label,
    decode(bytes) {
      const text = isAscii(bytes) ? bytes.toString('latin1') : charset.decode(bytes);
      if (text === undefined) throw unsupported(label, 'reading a non-ASCII value');
      return text;
    },
    encode(text) {
      const bytes = ASCII_ONLY.encode(text) ?? charset.encode(text);
      if (bytes === undefined) throw unsupported(label, 'writing a value with these characters');
      return bytes;
    },
  };
}

/** The codec for VRs restricted to the default repertoire (AE, AS, CS, DA, DS, DT, IS, TM, UI, UR). */
export const DEFAULT_REPERTOIRE_CODEC: TextCodec = {
  label: 'default repertoire',
  decode: (bytes) => bytes.toString('latin1'),
  encode(text) {
    const bytes = ASCII_ONLY.encode(text);
    if (bytes === undefined) {
      throw new DicomEditError('INVALID_VALUE', 'this VR allows only the default (ASCII) character repertoire');
    }
    return bytes;
  },
};
