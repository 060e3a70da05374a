import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import { constants, log as dimseLog } from 'dcmjs-dimse';
import { signalStudy } from '../client/start-study';
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

  const Scp = createStoreScpClass({
    receiver: config,
    storageClasses: STORAGE_CLASSES,
    newFilePath() {
      const fileId = newId('rx');
      return { fileId, path: deps.store.path(`${folder}/${fileId}.dcm`) };
    },
    async accept(file) {
      const objectKey = deps.store.keyOf(file.path);
      let studyUid: string | undefined;
      try {
        const ds = await openDicom(file.path);
        if (ds.getString(TAG.SeriesInstanceUID) && ds.getString(TAG.SOPInstanceUID)) studyUid = ds.getString(TAG.StudyInstanceUID);
      } catch (err) {
        log({ level: 'warn', msg: 'received dataset unreadable; refused', receiver: config.id, fileId: file.fileId, error: (err as Error).name });
      }
      if (!studyUid) {
        // XNAT refuses objects without their UIDs; so do we, before anything is recorded.
        await deps.store.remove(objectKey);
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
    log,
  });

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const scp = new Scp(socket) as InstanceType<typeof Scp> & { connected: boolean };
    // The library's timers (association and PDU timeouts) run only for a connected SCP.
    scp.connected = true;
    scp.on('networkError', () => socket.end());
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
