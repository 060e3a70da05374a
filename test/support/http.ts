/** A small fetch wrapper for tests: status and text of one request to the test stack. */
export async function http(base: string, method: string, path: string, body?: string | Buffer, contentType = 'text/plain'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { method, body, headers: body === undefined ? {} : { 'content-type': contentType } });
  return { status: res.status, text: await res.text() };
}
