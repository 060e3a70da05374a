// The check behind "anonymization done on the client is never repeated on the server" (DESIGN.md): the client's
// claim is read from the file itself, as XNAT's needsAnonymization does, never taken from a request parameter.

/** What a file must carry: the ids of the scripts in effect, site first, disabled ones left out. */
export type ExpectedScriptIds = readonly number[];

/** Outcome of checking one file's (0012,0064) CodeValues against the scripts in effect. */
export type ClaimCheck = { ok: true } | { ok: false; found: string[] };

// A CodeValue is SH (16 characters) and XNAT writes a script id there; anything else is shown as "?" so that a
// tampered file cannot carry header text into an error message.
const SCRIPT_ID = /^\d{1,16}$/;

/** The CodeValues as they may be shown to a person: script ids kept, anything else masked. */
export function printableCodes(codes: readonly string[]): string[] {
  return codes.map((c) => (SCRIPT_ID.test(c.trim()) ? c.trim() : '?'));
}

/**
 * True when the file's last items are exactly the expected script ids, in order. Earlier items (a pass made before
 * the file reached the client, e.g. by another site) are allowed; nothing may follow the client's own items.
 */
export function checkClientClaim(codes: readonly string[], expected: ExpectedScriptIds): ClaimCheck {
  const tail = codes.slice(codes.length - expected.length).map((c) => c.trim());
  const ok = codes.length >= expected.length && expected.every((id, i) => tail[i] === String(id));
  return ok ? { ok: true } : { ok: false, found: printableCodes(codes.slice(-Math.max(expected.length, 2))) };
}
