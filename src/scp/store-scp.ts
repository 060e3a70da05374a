import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Dataset, Scp, association as assoc, constants, requests, responses } from 'dcmjs-dimse';
import { encodeFileMeta } from '../dicom';
import type { ReceiverConfig } from '../config/receivers';
import { checkAssociation, decideContext } from './association-policy';
import type { ChunkSealer } from '../storage/sealed-file';
import { StagedFileWriter, type StagedFile } from './staged-file-writer';

const { PresentationContextResult: PCResult, RejectResult, RejectSource, RejectReason, Status } = constants;

/** C-STORE statuses of our own answers (PS3.4 B.2.3). */
export const STORE_STATUS = { success: Status.Success, outOfResources: 0xa700, cannotUnderstand: 0xc000 } as const;

// The A-ASSOCIATE-AC the library sends offers 16 KiB PDUs unless told otherwise; larger PDUs halve the cost of
// big files (dcmjs-measured §5.2).
const MAX_PDU = 131072;

/** What a connection needs from the receiver that owns it. */
export interface ScpContext {
  receiver: ReceiverConfig;
  storageClasses: ReadonlySet<string>;
  /** A fresh staging path for one incoming file, named by an opaque id, and its sealer when staging is encrypted. */
  newFilePath(): { fileId: string; path: string; sealer?: ChunkSealer };
  /** Records a durable file; resolves to the C-STORE status to answer (success only once it is recorded). */
  accept(file: StagedFile & { fileId: string }, callingAe: string): Promise<number>;
  /** Sends batched study signals (association released or closed). */
  flush(): void;
  /** Whether the receiver has more connections than its limit (this one included). */
  overLimit(): boolean;
  /** Association request and PDU idle timeout of a connection, in ms. */
  idleTimeoutMs: number;
  log(line: Record<string, unknown>): void;
}

/**
 * A dcmjs-dimse SCP class for one receiver. It never builds a Dataset from received bytes: the PDV bytes of each
 * C-STORE go straight to a staging file behind a Part 10 meta header (createStoreWritableStream), which is
 * fsync'd and renamed before the status is sent; a file cut off by an abort or a closed link is removed.
 */
export function createStoreScpClass(ctx: ScpContext): new (socket: Socket) => Scp {
  return class StoreScp extends Scp {
    private writer: (StagedFileWriter & { fileId: string }) | undefined;
    private status: number | undefined;
    private callingAe = '';

    private readonly socket: Socket;

    constructor(socket: Socket) {
      super(socket, { associationTimeout: ctx.idleTimeoutMs, pduTimeout: ctx.idleTimeoutMs });
      this.socket = socket;
      // Nagle's algorithm stalls small-file traffic by 40-90 ms per file (dcmjs-measured §5.2).
      socket.setNoDelay(true);
      this.on('close', () => {
        void this.dropPartial('connection closed');
        ctx.flush();
      });
    }

    override associationRequested(association: assoc.Association): void {
      this.callingAe = association.getCallingAeTitle().trim();
      if (ctx.overLimit()) {
        // Transient: the caller may retry once a slot is free (PS3.8 9.3.4: provider, local limit exceeded).
        ctx.log({ level: 'warn', msg: 'association refused', receiver: ctx.receiver.id, reason: 'too-many-associations', callingAe: this.callingAe });
        this.sendAssociationReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded);
        // The slot is freed at once, whether or not the caller closes its end.
        this.socket.end();
        return;
      }
      const refusal = checkAssociation(ctx.receiver, association.getCallingAeTitle(), association.getCalledAeTitle());
      if (refusal) {
        ctx.log({ level: 'warn', msg: 'association refused', receiver: ctx.receiver.id, reason: refusal, callingAe: this.callingAe });
        const reason = refusal === 'calling-ae-not-allowed' ? RejectReason.CallingAeNotRecognized : RejectReason.CalledAeNotRecognized;
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, reason);
        return;
      }
      for (const { context } of association.getPresentationContexts()) {
        const d = decideContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids(), ctx.receiver.transferSyntaxes, ctx.storageClasses);
        if (d.kind === 'accept') context.setResult(PCResult.Accept, d.transferSyntaxUid);
        else if (d.kind === 'reject-abstract-syntax') context.setResult(PCResult.RejectAbstractSyntaxNotSupported);
        else context.setResult(PCResult.RejectTransferSyntaxesNotSupported);
      }
      association.setMaxPduLength(MAX_PDU);
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
      ctx.flush();
    }

    override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createStoreWritableStream(pc: assoc.PresentationContext, request: requests.CStoreRequest): Writable {
      const { fileId, path, sealer } = ctx.newFilePath();
      const header = encodeFileMeta({
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid: pc.getAcceptedTransferSyntaxUid() ?? '',
        sourceAeTitle: this.callingAe,
      });
      const writer = Object.assign(new StagedFileWriter(path, header, sealer), { fileId });
      // A write error (disk full) or a write after an abort must not crash the process; the file is dropped.
      writer.on('error', () => void writer.discard());
      writer.throttle(this.socket);
      this.writer = writer;
      return writer;
    }

    override createDatasetFromStoreWritableStream(writable: Writable, _pc: assoc.PresentationContext, callback: (dataset: Dataset) => void): void {
      const writer = writable as StagedFileWriter & { fileId: string };
      finished(writer)
        .then(async () => {
          this.writer = undefined; // complete and durable: no longer a partial file to drop on close
          this.status = await ctx.accept({ ...writer.result!, fileId: writer.fileId }, this.callingAe);
        })
        .catch(async (err: Error) => {
          this.writer = undefined;
          await writer.discard();
          ctx.log({ level: 'error', msg: 'received file not stored', receiver: ctx.receiver.id, fileId: writer.fileId, error: err.name });
          this.status = STORE_STATUS.outOfResources;
        })
        // The library only needs a Dataset object to carry on; an empty one, never the received bytes.
        .finally(() => callback(new Dataset()));
    }

    override cStoreRequest(request: requests.CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
      const response = responses.CStoreResponse.fromRequest(request);
      response.setStatus(this.status ?? STORE_STATUS.outOfResources);
      this.status = undefined;
      callback(response);
    }

    override abort(): void {
      void this.dropPartial('association aborted');
      // After an A-ABORT the acceptor closes the link (PS3.8 9.1.8); the library does not, so an aborting sender
      // (storescu on a file it cannot read) waited for the idle timeout while holding an association slot.
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2000).unref();
    }

    private async dropPartial(why: string): Promise<void> {
      const w = this.writer;
      if (!w) return;
      this.writer = undefined;
      await w.discard();
      ctx.log({ level: 'info', msg: 'partial file removed', receiver: ctx.receiver.id, fileId: w.fileId, why });
    }
  };
}
