import type { DataChannel } from 'node-datachannel';
import type { SessionKeys } from '../../crypto/index.js';
import { Opener, Sealer, deriveKey } from '../../crypto/index.js';
import { toBytes } from './link-types.js';

/** At most this many bytes wait in the bulk channel's send buffer (the rest waits in the sender). */
export const BULK_BUFFER_LIMIT = 256 * 1024;

/**
 * The sealing of a link's `bulk` channel (reliable, ordered, its own SCTP stream): watch
 * party pieces, sealed with keys of their own from the signaling session like control
 * messages, so only the member at the other end of the link can read or forge them.
 */
export class BulkSealing {
  readonly #sealer: Sealer;
  readonly #opener = new Opener({ windowSize: 64 });
  rejected = 0;

  readonly #deliver: (frame: Uint8Array) => void;

  constructor(session: SessionKeys, linkNumber: number, deliver: (frame: Uint8Array) => void) {
    this.#deliver = deliver;
    this.#sealer = new Sealer(deriveKey(session.sendKey, `bulk/${linkNumber}`), 0);
    this.#opener.addKey(0, deriveKey(session.receiveKey, `bulk/${linkNumber}`));
  }

  /** False when the channel's buffer is over BULK_BUFFER_LIMIT: the caller retries later. */
  send(channel: DataChannel, frame: Uint8Array): boolean {
    if (channel.bufferedAmount() > BULK_BUFFER_LIMIT) return false;
    return channel.sendMessageBinary(this.#sealer.seal(frame));
  }

  /** Delivers the frame if it opens; counts it otherwise. */
  receive(message: string | Buffer | ArrayBuffer): void {
    const opened = this.#opener.open(toBytes(message));
    if (opened.ok) this.#deliver(opened.plaintext);
    else this.rejected++;
  }
}
