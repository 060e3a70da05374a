/**
 * A second, independent parser for tests: Debian's pydicom, run through /usr/bin/python3 (the pyenv python3 on
 * PATH does not have pydicom).
 */
import { execFileSync } from 'node:child_process';

const PROBE = `
import sys, json, hashlib, pydicom
ds = pydicom.dcmread(sys.argv[1])
out = {}
def text(v):
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return "\\\\".join(str(x) for x in v)
    return str(v)
for t in sys.argv[2:]:
    tag = int(t, 16)
    src = ds.file_meta if (tag >> 16) == 2 else ds
    out[t] = text(src[tag].value) if tag in src else None
out["codes"] = [str(i.CodeValue) for i in ds.get("DeidentificationMethodCodeSequence", [])]
out["pixelSha256"] = hashlib.sha256(ds.PixelData).hexdigest() if "PixelData" in ds else None
out["tagCount"] = len(list(ds.keys()))
print(json.dumps(out))
`;

/** What pydicom sees in a file: the requested tags (hex "GGGGEEEE" → string or null), codes and a pixel hash. */
export interface PydicomView {
  readonly values: Readonly<Record<string, string | null>>;
  readonly codes: readonly string[];
  readonly pixelSha256: string | null;
  readonly tagCount: number;
}

/** Reads `path` with pydicom and returns the values of `tags`. */
export function readWithPydicom(path: string, tags: readonly number[]): PydicomView {
  const hex = tags.map((t) => t.toString(16).padStart(8, '0'));
  const out = execFileSync('/usr/bin/python3', ['-c', PROBE, path, ...hex], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as Record<string, unknown>;
  const values: Record<string, string | null> = {};
  for (const h of hex) values[h] = parsed[h] as string | null;
  return { values, codes: parsed.codes as string[], pixelSha256: parsed.pixelSha256 as string | null, tagCount: parsed.tagCount as number };
}

const PATH_PROBE = `
import sys, json, io, pydicom
from pydicom.filereader import read_sequence
ds = pydicom.dcmread(sys.argv[1])
def text(v):
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return "\\\\".join(str(x) for x in v)
    if isinstance(v, bytes):
        return v.decode("latin1").rstrip("\\0 ")
    return str(v)
def items(elem):
    v = elem.value
    if isinstance(v, (bytes, bytearray)):
        # A private sequence pydicom does not know: read its bytes as implicit VR LE items.
        return read_sequence(io.BytesIO(bytes(v)), True, True, len(v), 0)
    return v
out = {}
for p in sys.argv[2:]:
    steps = p.split("/")
    cur = ds
    result = None
    try:
        for k in range(0, len(steps) - 1, 2):
            cur = items(cur[int(steps[k], 16)])[int(steps[k + 1])]
        last = steps[-1]
        if last.endswith("#"):
            t = int(last[:-1], 16)
            result = str(len(items(cur[t]))) if t in cur else None
        else:
            t = int(last, 16)
            result = text(cur[t].value) if t in cur else None
    except (KeyError, IndexError):
        result = None
    out[p] = result
print(json.dumps(out))
`;

/**
 * What pydicom sees at nested paths such as "00081115/0/00081199/0/00081155" (sequence tag, item index, ...,
 * element tag); a final "GGGGEEEE#" gives the number of items. Missing elements or items give null.
 */
export function readPathsWithPydicom(path: string, paths: readonly string[]): Record<string, string | null> {
  const out = execFileSync('/usr/bin/python3', ['-c', PATH_PROBE, path, ...paths], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, string | null>;
}
