import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress-bar';

/** A stand-in for process.stderr that keeps what was written. */
const fakeStream = () => {
  const written: string[] = [];
  return { written, stream: { write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream };
};

describe('progress bar', () => {
  it('When files are done on a terminal, then one line is redrawn in place with done/total and ended by a newline', () => {
    const { written, stream } = fakeStream();
    const bar = progressBar(stream, 'anonymizing', 4, true);
    bar.update(0);
    bar.update(2);
    bar.update(4);
    bar.end();
    expect(written[1]).toBe(`\ranonymizing [${'#'.repeat(15)}${'-'.repeat(15)}] 2/4 files`);
    expect(written[2]).toBe(`\ranonymizing [${'#'.repeat(30)}] 4/4 files`);
    expect(written.at(-1)).toBe('\n');
  });

  it('When the output is not a terminal (or --json), then nothing is drawn', () => {
    const { written, stream } = fakeStream();
    const bar = progressBar(stream, 'anonymizing', 4, false);
    bar.update(1);
    bar.end();
    expect(written).toEqual([]);
  });
});
