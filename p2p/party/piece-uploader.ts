import { errorText } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { CallLink } from '../call/call-link.js';
import { BLOCK_SIZE, encodeFrame } from './piece-frame.js';
import type { PieceStore } from './piece-store.js';

/** Requests a peer may have queued with us; more are dropped (it asks again when late). */
const MAX_QUEUED = 16;

/**
 * Serves one peer the pieces it asked for, in order, block by block while the link's bulk
 * buffer has room (sendBulk refuses above its bound), so pieces never queue up in front of
 * the call's own traffic. One piece at a time is read from disk.
 */
export class PieceUploader {
  readonly #queue: number[] = [];
  #upload: { index: number; bytes: Uint8Array; offset: number } | null = null;
  #reading = false;
  #closed = false;

  constructor(
    private readonly link: CallLink,
    private readonly store: PieceStore,
    private readonly tag: number,
    private readonly logger: Logger,
    /** Bytes of pieces handed to the link. */
    private readonly onSent: (bytes: number) => void,
  ) {}

  request(indices: readonly number[]): void {
    for (const index of indices) {
      if (this.#queue.length >= MAX_QUEUED) break;
      if (this.store.has(index) && !this.#queue.includes(index)) this.#queue.push(index);
    }
  }

  cancel(indices: readonly number[]): void {
    for (const index of indices) {
      const at = this.#queue.indexOf(index);
      if (at >= 0) this.#queue.splice(at, 1);
      if (this.#upload?.index === index) this.#upload = null;
    }
  }

  /** Sends what the buffer takes now; called on every swarm tick and after each read. */
  pump(): void {
    const send = this.link.sendBulk?.bind(this.link);
    let sent = 0;
    while (send && !this.#closed) {
      const upload = this.#upload;
      if (!upload) {
        const index = this.#reading ? undefined : this.#queue.shift();
        if (index !== undefined) this.#read(index);
        break;
      }
      const data = upload.bytes.subarray(upload.offset, upload.offset + BLOCK_SIZE);
      if (!send(encodeFrame(this.tag, upload.index, upload.offset, data))) break;
      upload.offset += data.length;
      sent += data.length;
      if (upload.offset >= upload.bytes.length) this.#upload = null;
    }
    if (sent > 0) this.onSent(sent);
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#upload = null;
  }

  #read(index: number): void {
    this.#reading = true;
    this.store.read(index).then(
      (bytes) => {
        this.#reading = false;
        if (this.#closed) return;
        this.#upload = { index, bytes, offset: 0 };
        this.pump();
      },
      (err: unknown) => {
        this.#reading = false;
        if (!this.#closed) this.logger.warn('piece read failed', { reason: errorText(err) });
      },
    );
  }
}
