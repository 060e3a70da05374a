import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import { constants, log as dimseLog } from 'dcmjs-dimse';
import { signalStudy } from '../client/start-study';
import type { Config } from '../config/load-config';
import type { ReceiverConfig } from '../config/receivers';
import type { Repositories } from '../db/repositories';
import { openDicom } from '../dicom';
import { newId } from '../domain/ids';
import { hashIdentifier } from '../domain/uid-hash';
import type { FileStore } from '../storage/file-store';
import { createStoreScpClass, STORE_STATUS } from './store-scp';
import { StudySignaller } from './study-signaller';

// The library logs every command at info level, SOP Instance UIDs included; only its errors are wanted.
dimseLog.setLevel('error');

const STORAGE_CLASSES: ReadonlySet<string> = new Set(Object.values(constants.StorageClass as Record<string, string>));
const TAG = { StudyInstanceUID: 0x0020000d, SeriesInstanceUID: 0x0020000e, SOPInstanceUID: 0x00080018 } as const;

/** What a receiver needs: the database, the file store and a Temporal client on the worker's task queue. */
export interface ReceiverDeps {
  repos: Repositories;
  store: FileStore;
  client: Client;
  taskQueue: string;
  siteAnonEnabled: boolean;
  /** How long signals are batched before they are sent (default 500 ms). */
  signalIntervalMs?: number;
  /** Signals one study workflow run takes before it continues as new (the workflow's default when unset). */
  maxSignalsPerRun?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Bounds on connections (config `limits.dicom*`); defaults: 32 connections, 60 s idle. */
  limits?: ReceiverLimits;
}

/** Bounds on a receiver's connections (docs/limits.md). */
export interface ReceiverLimits {
  /** Open connections; the association of one more is rejected (transient, local limit exceeded). */
  maxAssociations: number;
  /** A connection without a complete PDU (or association request) for this long is aborted. */
  idleTimeoutMs: number;
}

/** The receiver limits of a loaded configuration. */
export function receiverLimits(config: Config): ReceiverLimits {
  return { maxAssociations: config.limits.dicomMaxAssociations, idleTimeoutMs: config.limits.dicomIdleTimeoutSeconds * 1000 };
}

/** A listening receiver. */
export interface RunningReceiver {
  config: ReceiverConfig;
  /** The bound port (the configured one, or the one the system chose for port 0). */
  port: number;
  close(): Promise<void>;
}

/** The study key of a received file: a hash of receiver id and StudyInstanceUID, never the UID itself. */
export function receivedStudyKey(receiverId: string, studyInstanceUid: string): string {
  return hashIdentifier('received-study', `${receiverId}\u0000${studyInstanceUid}`);
}

/**
 * Starts one C-STORE receiver on its host and port (the library's own server cannot bind an address, so the
 * socket server is ours). Each stored file is recorded in received_files before its success status, then counted
 * towards a batched signal-with-start of its study's intake workflow. Studies left unsignalled by an earlier
 * process are signalled again at start.
 */
export async function startReceiver(config: ReceiverConfig, deps: ReceiverDeps): Promise<RunningReceiver> {
  const log = deps.log ?? (() => undefined);
  const input = (studyKey: string) => ({
    studyKey,
    receiverId: config.id,
    destination: config.destination,
    skipSitePass: !deps.siteAnonEnabled || !config.anonymizationEnabled,
    anonymize: config.anonymizationEnabled,
    idleMs: Math.round(config.sessionIdleSeconds * 1000),
    ...(deps.maxSignalsPerRun ? { maxSignalsPerRun: deps.maxSignalsPerRun } : {}),
  });
  const signaller = new StudySignaller(
    (studyKey, files) => signalStudy(deps.client, deps.taskQueue, input(studyKey), files),
    deps.signalIntervalMs ?? 500,
    (err) => log({ level: 'error', msg: 'study signal failed; will retry', receiver: config.id, error: err.name, detail: err.message }),
  );
  const folder = deps.store.stagingKey('cstore', config.id);

  const quarantineRefused = async (fileId: string, objectKey: string, reason: string) => {
    const to = deps.store.quarantineKey('cstore', config.id, fileId);
    await deps.store.move(objectKey, `${to}/received.dcm`);
    await deps.store.writeDurable(`${to}/reason.json`, JSON.stringify({ errorType: 'UnreadableDicomError', code: reason, receiver: config.id, status: 'C000', at: new Date().toISOString() }, null, 2));
  };
  const limits = deps.limits ?? { maxAssociations: 32, idleTimeoutMs: 60_000 };

  const Scp = createStoreScpClass({
    receiver: config,
    storageClasses: STORAGE_CLASSES,
    newFilePath() {
      const fileId = newId('rx');
      return { fileId, path: deps.store.path(`${folder}/${fileId}.dcm`), sealer: deps.store.staged.sealer() };
    },
    async accept(file) {
      const objectKey = deps.store.keyOf(file.path);
      let studyUid: string | undefined;
      let readError: string | undefined;
      try {
        const ds = await openDicom(file.path, { open: deps.store.openStaged });
        if (ds.getString(TAG.SeriesInstanceUID) && ds.getString(TAG.SOPInstanceUID)) studyUid = ds.getString(TAG.StudyInstanceUID);
      } catch (err) {
        // The reader's error code (e.g. TRUNCATED), never its message: a message may quote header bytes.
        readError = (err as { code?: unknown }).code && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : (err as Error).name;
      }
      if (!studyUid) {
        // XNAT refuses objects without their UIDs; so do we, before anything is recorded. The bytes are kept in
        // quarantine with the reason (nothing received is dropped silently), under the file's opaque id.
        const why = readError ?? 'MISSING_UID';
        await quarantineRefused(file.fileId, objectKey, why).catch(async (err: Error) => {
          await deps.store.remove(objectKey);
          log({ level: 'error', msg: 'refused file not quarantined; removed', receiver: config.id, fileId: file.fileId, error: err.name });
        });
        log({ level: 'warn', msg: 'received dataset refused; quarantined', receiver: config.id, fileId: file.fileId, reason: why });
        return STORE_STATUS.cannotUnderstand;
      }
      const studyKey = receivedStudyKey(config.id, studyUid);
      try {
        await deps.repos.receivedFiles.add({ id: file.fileId, receiverId: config.id, studyKey, objectKey, sha256: file.sha256, size: file.size });
      } catch (err) {
        await deps.store.remove(objectKey);
        log({ level: 'error', msg: 'received file not recorded', receiver: config.id, fileId: file.fileId, error: (err as Error).name });
        return STORE_STATUS.outOfResources;
      }
      signaller.add(studyKey);
      return STORE_STATUS.success;
    },
    flush: () => void signaller.flush(),
    // The connection asking counts itself, hence "more than".
    overLimit: () => sockets.size > limits.maxAssociations,
    idleTimeoutMs: limits.idleTimeoutMs,
    log,
  });

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const scp = new Scp(socket) as InstanceType<typeof Scp> & { connected: boolean; connectedTime: number };
    // The library's timers (association and PDU timeouts) run only for a connected SCP, and its association
    // timeout counts from connectedTime, which it sets only for sockets it dialled itself: without it a client
    // that connects and never asks for an association would hold a slot for ever.
    scp.connected = true;
    scp.connectedTime = Date.now();
    // The library has sent an A-ABORT by then; a peer that neither reads nor closes is destroyed shortly after.
    scp.on('networkError', () => {
      socket.end();
      setTimeout(() => socket.destroy(), 2000).unref();
    });
  });
  server.listen(config.port, config.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(new Error(`receiver ${config.id} cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`)))]);
  const port = (server.address() as { port: number }).port;
  // Workers read the receiver's routing rules from this record, whatever their own config says.
  await deps.repos.receivers.register(config, port);

  for (const open of await deps.repos.receivedFiles.openStudies(config.id)) for (let i = 0; i < open.files; i++) signaller.add(open.studyKey);
  void signaller.flush();
  log({ level: 'info', msg: 'receiver listening', receiver: config.id, aeTitle: config.aeTitle, host: config.host, port, destination: config.destination });

  return {
    config,
    port,
    async close() {
      const closed = new Promise((res) => server.close(res));
      for (const s of sockets) s.destroy();
      await closed;
      await signaller.close();
    },
  };
}
