/** Counts of received files per study key, sent as one signal per study per flush. */
export interface SignalSink {
  (studyKey: string, files: number): Promise<void>;
}

/**
 * Batches "files received" notices: many files make one signal per study, sent at most every `intervalMs`, or at
 * once by flush() (association released). A failed signal keeps its count and is retried at the next flush; the
 * files themselves are rows in the database already, so a lost process loses no file, only a delay.
 */
export class StudySignaller {
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly send: SignalSink, private readonly intervalMs = 500, private readonly onError: (err: Error) => void = () => undefined) {}

  /** Notes one more file of a study. */
  add(studyKey: string): void {
    this.pending.set(studyKey, (this.pending.get(studyKey) ?? 0) + 1);
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends every pending count now; resolves once they were sent or put back for a later retry. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      const batch = [...this.pending.entries()];
      this.pending.clear();
      for (const [key, n] of batch) {
        try {
          await this.send(key, n);
        } catch (err) {
          this.pending.set(key, (this.pending.get(key) ?? 0) + n);
          this.onError(err as Error);
        }
      }
      if (this.pending.size) this.timer ??= setTimeout(() => void this.flush(), Math.max(this.intervalMs, 2000));
    });
    return this.flushing;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
