import type { ReceiverConfig } from '../config/receivers';
import type { ReceiverListing } from '../db/receivers-repo';
import { startReceiver, type ReceiverDeps, type RunningReceiver } from './receiver';

/** What the manager needs: a receiver's dependencies, the site's idle time, and how long open associations may finish. */
export interface ReceiverManagerDeps extends ReceiverDeps {
  /** The site's dicom.sessionIdleSeconds, for receivers saved without their own. */
  sessionIdleSeconds: number;
  /** How long an association open on a receiver being changed or removed may go on (default 60 s). */
  graceMs?: number;
}

/** A saved receiver as a configuration to run. */
export function configOfListing(l: ReceiverListing, sessionIdleSeconds: number): ReceiverConfig {
  return {
    id: l.id,
    enabled: l.enabled,
    aeTitle: l.aeTitle,
    host: l.host,
    port: l.port,
    destination: l.destination as ReceiverConfig['destination'],
    anonymizationEnabled: l.anonymizationEnabled,
    allowedCallingAeTitles: l.allowedCallingAeTitles,
    transferSyntaxes: l.transferSyntaxes,
    sessionIdleSeconds: l.sessionIdleSeconds ?? sessionIdleSeconds,
    routing: l.routing,
  };
}

/**
 * The receivers a front-door process runs, kept in step with the database without a restart. A change stops the
 * old listener at once (its port is free again), lets its open associations finish (they keep the settings they
 * started with), and starts the new one; when the new one cannot listen, the old settings are started again and
 * nothing is saved. Changes run one at a time, so two requests never race for the same port.
 */
export class ReceiverManager {
  private readonly running = new Map<string, RunningReceiver>();
  private readonly retiring = new Set<RunningReceiver>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReceiverManagerDeps) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private retire(id: string): void {
    const old = this.running.get(id);
    if (!old) return;
    this.running.delete(id);
    this.retiring.add(old);
    void old.close({ graceMs: this.deps.graceMs ?? 60_000 }).finally(() => this.retiring.delete(old));
  }

  private async launch(config: ReceiverConfig): Promise<RunningReceiver> {
    const rx = await startReceiver(config, this.deps);
    this.running.set(config.id, rx);
    return rx;
  }

  /**
   * Seeds the database from temporal-dev.yaml (each id once: afterwards the database, changed through the API, wins)
   * and starts every enabled receiver it holds. A receiver that cannot listen is reported, not fatal.
   */
  startAll(seed: ReceiverConfig[]): Promise<{ started: RunningReceiver[]; failed: { id: string; message: string }[] }> {
    return this.serial(async () => {
      await this.deps.repos.receivers.seed(seed);
      const failed: { id: string; message: string }[] = [];
      for (const l of await this.deps.repos.receivers.list()) {
        if (!l.enabled || this.running.has(l.id)) continue;
        await this.launch(configOfListing(l, this.deps.sessionIdleSeconds)).catch((err: Error) => failed.push({ id: l.id, message: err.message }));
      }
      return { started: [...this.running.values()], failed };
    });
  }

  /** The site's idle time, for receivers given without their own. */
  get sessionIdleSeconds(): number {
    return this.deps.sessionIdleSeconds;
  }

  /** The running receiver of an id, if any. */
  get(id: string): RunningReceiver | undefined {
    return this.running.get(id);
  }

  /** Every running receiver. */
  list(): RunningReceiver[] {
    return [...this.running.values()];
  }

  /**
   * Saves `config` and makes it run (or stop, when disabled). An existing receiver of the same id is retired first;
   * if the new settings cannot listen, the previous ones (`previous`) are started again and the error is thrown.
   */
  apply(config: ReceiverConfig, previous?: ReceiverConfig): Promise<RunningReceiver | undefined> {
    return this.serial(async () => {
      const wasRunning = this.running.has(config.id);
      this.retire(config.id);
      let rx: RunningReceiver | undefined;
      if (config.enabled) {
        try {
          rx = await this.launch(config);
        } catch (err) {
          if (previous && wasRunning) await this.launch(previous).catch(() => undefined);
          throw err;
        }
      }
      await this.deps.repos.receivers.save(config);
      return rx;
    });
  }

  /** Stops a receiver (open associations may finish) and marks it removed. Resolves false when it does not exist. */
  remove(id: string): Promise<boolean> {
    return this.serial(async () => {
      this.retire(id);
      return this.deps.repos.receivers.remove(id);
    });
  }

  /** Stops every receiver now (process shutdown), cutting open associations, and waits for those being retired. */
  async closeAll(): Promise<void> {
    await this.serial(async () => {
      // A second close() of a retiring receiver cuts the associations it was letting finish.
      const all = [...this.running.values(), ...this.retiring];
      this.running.clear();
      await Promise.all(all.map((r) => r.close()));
    });
  }
}
