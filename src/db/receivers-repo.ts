import type { Knex } from 'knex';
import type { ReceiverConfig } from '../config/receivers';

/** What the workers need to know of a receiver: its routing rules (text, parsed where used). */
export interface ReceiverRecord {
  id: string;
  aeTitle: string;
  port: number;
  destination: string;
  routing: ReceiverConfig['routing'];
}

/** A receiver as listed to site admins: where it listens and whom it accepts. */
export interface ReceiverListing extends ReceiverRecord {
  host: string;
  anonymizationEnabled: boolean;
  allowedCallingAeTitles: string[];
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- mapped field by field */
const toRecord = (row: any): ReceiverRecord => {
  const routing = JSON.parse(row.routing) as Partial<ReceiverConfig['routing']>;
  return { id: row.id, aeTitle: row.ae_title, port: row.port, destination: row.destination, routing: { project: routing.project ?? [], subject: routing.subject ?? [], session: routing.session ?? [] } };
};

/**
 * The receivers a front-door process runs, registered when it starts them, so that workers (possibly on other
 * machines, with other config files) apply the rules of the receiver a study came through.
 */
export function createReceiversRepo(db: Knex) {
  return {
    /** Records a started receiver (its bound port); replaces an earlier record with the same id or port. */
    async register(r: ReceiverConfig, boundPort: number): Promise<void> {
      await db.transaction(async (tx) => {
        await tx('receivers').where({ id: r.id }).orWhere({ port: boundPort }).delete();
        await tx('receivers').insert({
          id: r.id,
          ae_title: r.aeTitle,
          host: r.host,
          port: boundPort,
          destination: r.destination,
          anon_enabled: r.anonymizationEnabled,
          allowed_callers: JSON.stringify(r.allowedCallingAeTitles),
          routing: JSON.stringify(r.routing),
        });
      });
    },
    async get(id: string): Promise<ReceiverRecord | undefined> {
      const row = await db('receivers').where({ id }).first();
      return row ? toRecord(row) : undefined;
    },
    /** Every registered receiver, by AE title. */
    async list(): Promise<ReceiverListing[]> {
      return (await db('receivers').orderBy('ae_title')).map((row) => ({
        ...toRecord(row),
        host: row.host,
        anonymizationEnabled: Boolean(row.anon_enabled),
        allowedCallingAeTitles: JSON.parse(row.allowed_callers) as string[],
      }));
    },
  };
}
/** The receivers repository. */
export type ReceiversRepo = ReturnType<typeof createReceiversRepo>;
