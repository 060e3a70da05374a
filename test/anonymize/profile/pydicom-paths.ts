/**
 * A second parser for the corpus test: Debian's pydicom lists the element paths ("GGGGEEEE/item/GGGGEEEE") of many
 * files in one process (one process per file would cost seconds on the corpus), with a hash of the pixel data.
 * The hash is of the pixel cells in little endian order, as pydicom decodes them (a big endian file's OW cells of
 * Bits Allocated bits are swapped), so that a file converted from big endian compares by value. A file without File
 * Meta, which pydicom reads only when forced, is read forced and reported with `meta: false`.
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
        try:
            ds = pydicom.dcmread(path)
        except pydicom.errors.InvalidDicomError:
            ds = pydicom.dcmread(path, force=True)
        meta = "TransferSyntaxUID" in ds.file_meta
        out = []
        walk(ds.file_meta, "", out)
        walk(ds, "", out)
        pix = None
        if "PixelData" in ds:
            pix = ds.PixelData
            if not ds.is_little_endian and ds["PixelData"].VR == "OW":
                n = max(2, ds.BitsAllocated // 8)
                pix = b"".join(pix[i:i + n][::-1] for i in range(0, len(pix), n))
            pix = hashlib.sha256(pix).hexdigest()
        res[path] = {"paths": out, "pixel": pix, "meta": meta}
    except Exception as e:
        res[path] = {"error": type(e).__name__ + ": " + str(e)[:200]}
print(json.dumps(res))
`;

/** What pydicom saw in one file. */
export type PydicomPaths = { readonly paths: readonly string[]; readonly pixel: string | null; readonly meta: boolean } | { readonly error: string };

/** Reads every file of `paths` with pydicom. */
export function pydicomPaths(paths: readonly string[]): Record<string, PydicomPaths> {
  const out = execFileSync('/usr/bin/python3', ['-c', PROBE], { input: JSON.stringify(paths), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as Record<string, PydicomPaths>;
}
