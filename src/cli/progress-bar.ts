/** A one-line progress bar on a terminal (files done / total); silent when the stream is not a TTY. */
export interface ProgressBar {
  update(done: number): void;
  end(): void;
}

const WIDTH = 30;

/** Draws `label [#####-----] done/total` in place on `stream`, or nothing when `enabled` is false. */
export function progressBar(stream: NodeJS.WriteStream, label: string, total: number, enabled: boolean): ProgressBar {
  let drawn = false;
  return {
    update(done: number) {
      if (!enabled) return;
      const filled = total ? Math.round((done / total) * WIDTH) : WIDTH;
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} files`);
      drawn = true;
    },
    end() {
      if (enabled && drawn) stream.write('\n');
    },
  };
}
