/**
 * pydicom, a second and independent parser, on many files in one process: what each original holds (read leniently,
 * as a hostile file may lack its meta header) and, for each output, whether it re-reads strictly and which tags
 * differ from its original (presence or value, nested items included, group 0002 left out).
 */
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import sys, json, warnings, pydicom
warnings.simplefilter("ignore")
def flat(ds):
    out = {}
    # Words of a big endian OW value are compared in little endian order: a sender may change the transfer
    # syntax on the wire (storescu converts big endian to little endian), which swaps their bytes, not their values.
    swap = ds.is_little_endian is False
    for e in ds.iterall():
        if e.VR == 'SQ' or e.tag.group == 2: continue
        v = e.value
        if swap and isinstance(v, bytes) and e.VR == 'OW':
            v = b''.join(v[i:i + 2][::-1] for i in range(0, len(v) - 1, 2))
        out.setdefault("%04X%04X" % (e.tag.group, e.tag.element), []).append(v.hex() if isinstance(v, bytes) else repr(v))
    return out
def info(path):
    try:
        ds = pydicom.dcmread(path, force=True)
        return {"sop": str(ds.get("SOPInstanceUID", "") or ""), "texts": [str(ds.get(k, "") or "") for k in ("PatientName", "PatientID")]}
    except Exception as e:
        return {"sop": "", "texts": [], "error": type(e).__name__}
req = json.load(sys.stdin)
res = {"originals": {p: info(p) for p in req["originals"]}, "pairs": []}
for orig, out in req["pairs"]:
    r = {"original": orig, "output": out}
    try:
        b = pydicom.dcmread(out)
        fb = flat(b)
    except Exception as e:
        r["outputError"] = type(e).__name__ + ": " + str(e)[:120]
        res["pairs"].append(r); continue
    try:
        fa = flat(pydicom.dcmread(orig, force=True))
        r["differing"] = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
    except Exception as e:
        r["originalError"] = type(e).__name__
    res["pairs"].append(r)
print(json.dumps(res))
`;

/** What pydicom read from one original. */
export interface OriginalInfo {
  sop: string;
  /** PatientName and PatientID as text (canaries: no error message may quote them). */
  texts: string[];
  error?: string;
}
/** One output compared with its original. */
export interface PairCheck {
  original: string;
  output: string;
  /** The output does not re-read strictly. */
  outputError?: string;
  originalError?: string;
  differing?: string[];
}

/** Reads `originals` leniently and compares each output of `pairs` with its original. */
export function pydicomCheck(originals: readonly string[], pairs: readonly (readonly [string, string])[] = []): { originals: Record<string, OriginalInfo>; pairs: PairCheck[] } {
  const out = execFileSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify({ originals, pairs }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as { originals: Record<string, OriginalInfo>; pairs: PairCheck[] };
}
