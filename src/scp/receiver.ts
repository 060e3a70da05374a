import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import { constants, log as dimseLog } from 'dcmjs-dimse';
import { signalStudy } from '../client/start-study';
import type { Config } from '../config/load-config';
import type { ReceiverConfig } from '../config/receivers';
import type { Repositories } from '../db/repositories';
import { newId } from '../domain/ids';
import type { FileStore } from '../storage/file-store';
import { markStudyReceiving, quarantineReceivedFile, receivedStudyKey, studyOfReceivedFile } from '../storage/received-file';
import { createStoreScpClass, STORE_STATUS } from './store-scp';
import { StudySignaller } from './study-signaller';

// The library logs every command at info level, SOP Instance UIDs included; only its errors are wanted.
dimseLog.setLevel('error');

const STORAGE_CLASSES: ReadonlySet<string> = new Set(Object.values(constants.StorageClass as Record<string, string>));

// Tests and tools find a study's workflow through the receiver module, as before.
export { receivedStudyKey };

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
  /**
   * Stops listening at once (the port is free again when this is called), then lets open associations finish for
   * up to `graceMs` (default 0) before cutting them; resolves once every connection is gone and signals are sent.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
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
      const read = await studyOfReceivedFile(file.path, deps.store.openStaged);
      if ('refused' in read) {
        // XNAT refuses objects without their UIDs; so do we, before anything is recorded. The bytes are kept in
        // quarantine with the reason (nothing received is dropped silently), under the file's opaque id.
        await quarantineReceivedFile(deps.store, ['cstore', config.id], file.fileId, objectKey, { code: read.refused, status: 'C000', receiver: config.id }).catch((err: Error) => {
          log({ level: 'error', msg: 'refused file not quarantined; removed', receiver: config.id, fileId: file.fileId, error: err.name });
        });
        log({ level: 'warn', msg: 'received dataset refused; quarantined', receiver: config.id, fileId: file.fileId, reason: read.refused });
        return STORE_STATUS.cannotUnderstand;
      }
      const studyKey = receivedStudyKey(config.id, read.studyUid);
      try {
        await deps.repos.receivedFiles.add({ id: file.fileId, receiverId: config.id, studyKey, objectKey, sha256: file.sha256, size: file.size });
      } catch (err) {
        await deps.store.remove(objectKey);
        log({ level: 'error', msg: 'received file not recorded', receiver: config.id, fileId: file.fileId, error: (err as Error).name });
        return STORE_STATUS.outOfResources;
      }
      // Listed in the prearchive as RECEIVING (Unassigned: its project is known only after the site pass).
      await markStudyReceiving(deps.repos, { studyKey, projectId: null }, (err) => log({ level: 'error', msg: 'receiving row not made', receiver: config.id, error: err.name }));
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
  // events.once rejects on 'error' by itself, with the bare system error: name the receiver and address instead.
  await once(server, 'listening').catch((err: Error) => {
    throw new Error(`receiver ${config.id} cannot listen on ${config.host}:${config.port}: ${err.message}`);
  });
  const port = (server.address() as { port: number }).port;
  // Workers read the receiver's routing rules from this record, whatever their own config says.
  await deps.repos.receivers.register(config, port);

  for (const open of await deps.repos.receivedFiles.openStudies(config.id)) for (let i = 0; i < open.files; i++) signaller.add(open.studyKey);
  void signaller.flush();
  log({ level: 'info', msg: 'receiver listening', receiver: config.id, aeTitle: config.aeTitle, host: config.host, port, destination: config.destination });

  return {
    config,
    port,
    async close(opts = {}) {
      // server.close() releases the listening socket now; its callback waits for the open connections.
      const closed = new Promise((res) => server.close(res));
      const cut = () => {
        for (const s of sockets) s.destroy();
      };
      if (!opts.graceMs) cut();
      else if (sockets.size) {
        log({ level: 'info', msg: 'receiver closing; open associations may finish', receiver: config.id, connections: sockets.size, graceMs: opts.graceMs });
        const timer = setTimeout(cut, opts.graceMs);
        timer.unref();
        void closed.then(() => clearTimeout(timer));
      }
      await closed;
      await signaller.close();
    },
  };
}
