import { execFileSync } from 'node:child_process';

// pydicom, a second and independent parser, lists every element of two files (private tags, sequences and pixel
// data included) and reports the tags whose presence or value differ, outside group 0002.
const SCRIPT = `
import sys, pydicom
a = pydicom.dcmread(sys.argv[1]); b = pydicom.dcmread(sys.argv[2])
def flat(ds):
    out = {}
    for e in ds.iterall():
        key = (e.tag.group, e.tag.element)
        if e.VR == 'SQ': continue
        out.setdefault(key, []).append(e.value if not isinstance(e.value, bytes) else e.value.hex())
    return out
fa, fb = flat(a), flat(b)
diff = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
print(",".join("%04X%04X" % k for k in diff))
`;

/** The tags (GGGGEEEE) whose presence or value differ between two DICOM files, read by pydicom. */
export function differingTags(original: string, other: string): string[] {
  const out = execFileSync('/usr/bin/python3', ['-c', SCRIPT, original, other]).toString().trim();
  return out ? out.split(',') : [];
}
