/**
 * A second parser for the corpus test: Debian's pydicom lists the element paths ("GGGGEEEE/item/GGGGEEEE") of many
 * files in one process (one process per file would cost seconds on the corpus), with a hash of the pixel data.
 */
import { execFileSync } from 'node:child_process';

const PROBE = `
import sys, json, hashlib, pydicom
def walk(ds, prefix, out):
    for elem in ds:
        p = prefix + format(elem.tag, "08X")
        out.append(p)
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                walk(item, p + "/" + str(i) + "/", out)
res = {}
for path in json.load(sys.stdin):
    try:
        ds = pydicom.dcmread(path)
        out = []
        walk(ds.file_meta, "", out)
        walk(ds, "", out)
        pix = hashlib.sha256(ds.PixelData).hexdigest() if "PixelData" in ds else None
        res[path] = {"paths": out, "pixel": pix}
    except Exception as e:
        res[path] = {"error": type(e).__name__ + ": " + str(e)[:200]}
print(json.dumps(res))
`;

/** What pydicom saw in one file. */
export type PydicomPaths = { readonly paths: readonly string[]; readonly pixel: string | null } | { readonly error: string };

/** Reads every file of `paths` with pydicom. */
export function pydicomPaths(paths: readonly string[]): Record<string, PydicomPaths> {
  const out = execFileSync('/usr/bin/python3', ['-c', PROBE], { input: JSON.stringify(paths), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as Record<string, PydicomPaths>;
}
