import { createServer } from 'node:net';

/** A TCP port free on loopback right now (the caller binds it soon after; a race is retried by the caller). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}
