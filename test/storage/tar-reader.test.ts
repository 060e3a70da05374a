import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readTar } from '../../src/storage/tar-reader';
import { tarBuffers } from '../factories/tar-builder';

async function entries(tar: Buffer, chunk = 100) {
  const parts: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunk) parts.push(tar.subarray(i, i + chunk));
  const out: { name: string; type: string; data: string }[] = [];
  for await (const e of readTar(Readable.from(parts))) {
    const body: Buffer[] = [];
    if (e.name !== 'skipped.txt') for await (const c of e.body()) body.push(c);
    out.push({ name: e.name, type: e.type, data: Buffer.concat(body).toString() });
  }
  return out;
}

function paxHeaderFor(path: string): Buffer {
  const record = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
    return `${len}${body}`;
  };
  const tar = tarBuffers([{ name: 'PaxHeader', data: Buffer.from(record('path', path)) }]);
  tar[156] = 'x'.charCodeAt(0);
  // Re-checksum after changing the type flag.
  tar.write('        ', 148, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i];
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return tar.subarray(0, tar.length - 1024);
}

describe('tar reader', () => {
  it('When entries are read in small chunks, then names, types and bodies come out in order, unread bodies skipped', async () => {
    const tar = tarBuffers([
      { name: 'dir/', type: '5' },
      { name: 'dir/a.dcm', data: Buffer.from('A'.repeat(700)) },
      { name: 'skipped.txt', data: Buffer.from('skip me') },
      { name: `${'long/'.repeat(30)}b.dcm`, data: Buffer.from('B') },
    ]);
    expect(await entries(tar)).toEqual([
      { name: 'dir/', type: '5', data: '' },
      { name: 'dir/a.dcm', type: '0', data: 'A'.repeat(700) },
      { name: 'skipped.txt', type: '0', data: '' },
      { name: `${'long/'.repeat(30)}b.dcm`, type: '0', data: 'B' },
    ]);
  });
  it('When a pax header names the next entry, then that name is used', async () => {
    const long = `${'x'.repeat(150)}/../escape.dcm`;
    const tar = Buffer.concat([paxHeaderFor(long), tarBuffers([{ name: 'short.dcm', data: Buffer.from('C') }])]);
    expect(await entries(tar)).toEqual([{ name: long, type: '0', data: 'C' }]);
  });
  it('When the stream is not a tar or is truncated, then it is refused', async () => {
    await expect(entries(Buffer.from('hello'.repeat(200)))).rejects.toThrow(/not a zip, tar or tar.gz/);
    const tar = tarBuffers([{ name: 'a.dcm', data: Buffer.alloc(2000, 1) }]);
    await expect(entries(tar.subarray(0, 1024))).rejects.toThrow(/truncated/);
  });
});
