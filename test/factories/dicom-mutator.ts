/**
 * A bounded, seeded mutation fuzzer for DICOM bytes: the same seed gives the same mutants, so a failure found in
 * CI is reproduced by its seed and case number. Mutations are the ones real hostile files show: truncation,
 * wrong and huge lengths, bad VRs, flipped bytes and deep nesting.
 */

/** A deterministic PRNG (mulberry32): no dependency, same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kinds of mutation applied. */
export const MUTATIONS = ['truncate', 'length', 'huge-length', 'vr', 'flip', 'zero-run'] as const;
/** One of {@link MUTATIONS}. */
export type Mutation = (typeof MUTATIONS)[number];

const DATASET_START = 132;

/** Offsets of plausible explicit-VR element headers (two uppercase letters where a VR would stand). */
function headerOffsets(bytes: Buffer): number[] {
  const found: number[] = [];
  for (let i = DATASET_START; i + 8 <= bytes.length && found.length < 4096; i += 2) {
    const a = bytes[i + 4];
    const b = bytes[i + 5];
    if (a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a) found.push(i);
  }
  return found;
}

/** Returns a mutated copy of `seed` and what was done (no values, only offsets). */
export function mutate(seed: Buffer, kind: Mutation, random: () => number): { bytes: Buffer; what: string } {
  const bytes = Buffer.from(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const headers = headerOffsets(bytes);
  const header = headers.length ? headers[pick(headers.length)] : DATASET_START;
  switch (kind) {
    case 'truncate': {
      const at = DATASET_START + pick(Math.max(1, bytes.length - DATASET_START));
      return { bytes: bytes.subarray(0, at), what: `truncated at ${at}` };
    }
    case 'length': {
      // Short form (2 bytes) after the VR; nudging it misaligns everything that follows.
      const delta = 1 + pick(64);
      bytes.writeUInt16LE((bytes.readUInt16LE(header + 6) + delta) & 0xffff, header + 6);
      return { bytes, what: `length +${delta} at ${header}` };
    }
    case 'huge-length': {
      if (header + 12 <= bytes.length) bytes.writeUInt32LE(0xfffffff0 - pick(1000), header + 8);
      bytes.writeUInt16LE(0xfff0, header + 6);
      return { bytes, what: `huge length at ${header}` };
    }
    case 'vr': {
      bytes[header + 4] = 0x41 + pick(26);
      bytes[header + 5] = random() < 0.5 ? 0x00 : 0x41 + pick(26);
      return { bytes, what: `VR changed at ${header}` };
    }
    case 'flip': {
      const n = 1 + pick(8);
      for (let i = 0; i < n; i++) bytes[DATASET_START + pick(bytes.length - DATASET_START)] ^= 1 << pick(8);
      return { bytes, what: `${n} bits flipped` };
    }
    case 'zero-run': {
      const at = DATASET_START + pick(bytes.length - DATASET_START);
      bytes.fill(0, at, Math.min(bytes.length, at + 1 + pick(32)));
      return { bytes, what: `zeros at ${at}` };
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown mutation ${String(never)}`);
    }
  }
}

/**
 * A file whose dataset holds one sequence nested `depth` levels deep (explicit VR LE, undefined lengths), to
 * check that readers bound their recursion instead of overflowing the stack.
 */
export function deeplyNested(prefix: Buffer, depth: number): Buffer {
  const seqHeader = Buffer.from([0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff]); // (0008,1115) SQ
  const itemStart = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
  const itemEnd = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);
  const seqEnd = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  const open: Buffer[] = [];
  const close: Buffer[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(seqHeader, itemStart);
    close.unshift(itemEnd, seqEnd);
  }
  return Buffer.concat([prefix, ...open, ...close]);
}
