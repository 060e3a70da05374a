import { connect, type Socket } from 'node:net';

/** Answer to an A-ASSOCIATE-RQ: accepted, rejected (with PS3.8 result/source/reason) or the link closed. */
export type AssociationAnswer = { kind: 'accepted' } | { kind: 'rejected'; result: number; source: number; reason: number } | { kind: 'closed' };

const uid = (type: number, text: string) => item(type, Buffer.from(text, 'latin1'));
function item(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = type;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}
const ae = (t: string) => Buffer.from(t.padEnd(16, ' '), 'latin1');

/** A minimal A-ASSOCIATE-RQ (PS3.8 9.3.2) proposing Verification in implicit VR LE: enough to hold an association. */
export function associateRequest(callingAe: string, calledAe: string): Buffer {
  const pc = Buffer.concat([Buffer.from([1, 0, 0, 0]), uid(0x30, '1.2.840.10008.1.1'), uid(0x40, '1.2.840.10008.1.2')]);
  const maxPdu = Buffer.alloc(4);
  maxPdu.writeUInt32BE(16384);
  const body = Buffer.concat([Buffer.from([0, 1, 0, 0]), ae(calledAe), ae(callingAe), Buffer.alloc(32), uid(0x10, '1.2.840.10008.3.1.1.1'), item(0x20, pc), item(0x50, item(0x51, maxPdu))]);
  const head = Buffer.alloc(6);
  head[0] = 0x01;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/**
 * Opens a TCP connection, sends an A-ASSOCIATE-RQ and resolves with the first answer (bounded by `timeoutMs`).
 * The socket is left open so that an accepted association keeps its slot; the caller destroys it.
 */
export function openAssociation(port: number, callingAe: string, calledAe: string, timeoutMs = 10_000): Promise<{ socket: Socket; answer: AssociationAnswer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to A-ASSOCIATE-RQ within ${timeoutMs} ms`));
    }, timeoutMs);
    let buf = Buffer.alloc(0);
    const done = (answer: AssociationAnswer) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve({ socket, answer });
    };
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write(associateRequest(callingAe, calledAe)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 6) return;
      if (buf[0] === 0x02) done({ kind: 'accepted' });
      else if (buf[0] === 0x03 && buf.length >= 10) done({ kind: 'rejected', result: buf[7], source: buf[8], reason: buf[9] });
    });
    socket.once('close', () => done({ kind: 'closed' }));
  });
}
