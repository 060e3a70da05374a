import type { Knex } from 'knex';
import { DEFAULT_TRANSFER_SYNTAXES, type ReceiverConfig } from '../config/receivers';
import { nowIso } from './clock';

/** What the workers need to know of a receiver: its routing rules (text, parsed where used). */
export interface ReceiverRecord {
  id: string;
  aeTitle: string;
  port: number;
  destination: string;
  routing: ReceiverConfig['routing'];
}

/** A receiver as listed to site admins: where it listens, whom it accepts, and the rest of its settings. */
export interface ReceiverListing extends ReceiverRecord {
  host: string;
  enabled: boolean;
  anonymizationEnabled: boolean;
  allowedCallingAeTitles: string[];
  transferSyntaxes: string[];
  /** Null: the site's dicom.sessionIdleSeconds. */
  sessionIdleSeconds: number | null;
  updatedAt: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are mapped field by field */
const toRecord = (row: any): ReceiverRecord => {
  const routing = JSON.parse(row.routing) as Partial<ReceiverConfig['routing']>;
  return { id: row.id, aeTitle: row.ae_title, port: row.port, destination: row.destination, routing: { project: routing.project ?? [], subject: routing.subject ?? [], session: routing.session ?? [] } };
};
const toListing = (row: any): ReceiverListing => ({
  ...toRecord(row),
  host: row.host,
  enabled: row.enabled === undefined || row.enabled === null ? true : Boolean(row.enabled),
  anonymizationEnabled: Boolean(row.anon_enabled),
  allowedCallingAeTitles: JSON.parse(row.allowed_callers) as string[],
  transferSyntaxes: row.transfer_syntaxes ? (JSON.parse(row.transfer_syntaxes) as string[]) : [...DEFAULT_TRANSFER_SYNTAXES],
  sessionIdleSeconds: row.session_idle_seconds === null || row.session_idle_seconds === undefined ? null : Number(row.session_idle_seconds),
  updatedAt: row.updated_at ?? null,
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * The receivers: site settings kept here (seeded from temporal-dev.yaml, then changed through the API), and the
 * record workers read a study's routing rules from (possibly on other machines, with other config files).
 * A removed receiver keeps its row, marked removed, until its port is reused, so a study still open from it is
 * imported with its rules.
 */
export function createReceiversRepo(db: Knex) {
  const write = async (tx: Knex.Transaction, r: ReceiverConfig, port: number) => {
    await tx('receivers').where({ id: r.id }).orWhere({ port }).delete();
    await tx('receivers').insert({
      id: r.id,
      ae_title: r.aeTitle,
      host: r.host,
      port,
      destination: r.destination,
      enabled: r.enabled,
      anon_enabled: r.anonymizationEnabled,
      allowed_callers: JSON.stringify(r.allowedCallingAeTitles),
      transfer_syntaxes: JSON.stringify(r.transferSyntaxes),
      session_idle_seconds: r.sessionIdleSeconds,
      routing: JSON.stringify(r.routing),
      removed_at: null,
      updated_at: nowIso(),
    });
  };
  const live = () => db('receivers').whereNull('removed_at');
  return {
    /** Records a started receiver with its bound port (port 0 asks the system for one); replaces an earlier record with the same id or port. */
    async register(r: ReceiverConfig, boundPort: number): Promise<void> {
      await db.transaction((tx) => write(tx, r, boundPort));
    },
    /** Saves a receiver's settings (created or changed through the API), whether or not it runs. */
    async save(r: ReceiverConfig): Promise<void> {
      await db.transaction((tx) => write(tx, r, r.port));
    },
    /**
     * Seeds the receivers of temporal-dev.yaml: each id is written once, the first time the file names it; later
     * starts leave it alone, so changes made through the API (and removals) win over the file. Returns the ids seeded.
     */
    async seed(configs: ReceiverConfig[]): Promise<string[]> {
      const seeded: string[] = [];
      for (const r of configs) {
        await db.transaction(async (tx) => {
          if (await tx('receivers_seeded').where({ id: r.id }).first()) return;
          await write(tx, r, r.port);
          await tx('receivers_seeded').insert({ id: r.id, seeded_at: nowIso() });
          seeded.push(r.id);
        });
      }
      return seeded;
    },
    /** Marks a receiver removed (it no longer runs); its rules stay readable by get() for studies still open. */
    async remove(id: string): Promise<boolean> {
      return (await db('receivers').where({ id }).whereNull('removed_at').update({ removed_at: nowIso(), enabled: false })) > 0;
    },
    /** A receiver's routing rules, removed ones included (for the workers). */
    async get(id: string): Promise<ReceiverRecord | undefined> {
      const row = await db('receivers').where({ id }).first();
      return row ? toRecord(row) : undefined;
    },
    /** A receiver's settings, unless removed. */
    async find(id: string): Promise<ReceiverListing | undefined> {
      const row = await live().where({ id }).first();
      return row ? toListing(row) : undefined;
    },
    /** Every receiver not removed, by AE title. */
    async list(): Promise<ReceiverListing[]> {
      return (await live().orderBy('ae_title')).map(toListing);
    },
  };
}
/** The receivers repository. */
export type ReceiversRepo = ReturnType<typeof createReceiversRepo>;
