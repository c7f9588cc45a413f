import type { DataChannel, PeerConnection } from 'node-datachannel';
import type { OpenResult, SessionKeys } from '../../crypto/index.js';
import { Opener, Sealer, deriveKey } from '../../crypto/index.js';
import { toBytes } from './link-types.js';

/** At most this many bytes wait in the bulk channel's send buffer (the rest waits in the sender). */
export const BULK_BUFFER_LIMIT = 256 * 1024;

/** SCTP resends a frame's lost tail when the next frame's SACKs show the gap (a frame later):
 * at 40 ms such tails expired (lost keyframes, 340–370 ms freezes at 5 % loss); 80 ms covers it. */
const MEDIA_LIFETIME_MS = 80;

/** A link's data channels, each on an SCTP stream of its own (see PeerLink). */
export interface LinkChannels {
  control: DataChannel;
  media: DataChannel;
  voice: DataChannel;
  bulk: DataChannel;
  urgent: DataChannel;
}

export const CHANNEL_COUNT = 5;

export function channelList(channels: LinkChannels): DataChannel[] {
  return [channels.control, channels.media, channels.voice, channels.bulk, channels.urgent];
}

/** The channels, pre-negotiated by id on both ends so that no in-band handshake is needed. */
export function createLinkChannels(pc: PeerConnection): LinkChannels {
  const lossy = { negotiated: true, unordered: true, maxRetransmits: 0 } as const;
  // Media is partially reliable: a chunk lost on a LAN is resent within a few tens of ms,
  // which costs less than the keyframe its frame's loss would; a later resend is too late.
  const media = { negotiated: true, unordered: true, maxPacketLifeTime: MEDIA_LIFETIME_MS };
  return {
    control: pc.createDataChannel('control', { negotiated: true, id: 0 }),
    media: pc.createDataChannel('media', { ...media, id: 1 }),
    voice: pc.createDataChannel('voice', { ...lossy, id: 2 }),
    bulk: pc.createDataChannel('bulk', { negotiated: true, id: 3 }),
    // Keyframe requests: on the ordered control channel a lost one held every later one
    // behind it until SCTP's retransmission timer fired (freezes of 340–400 ms at 5 % loss);
    // here each try travels alone and the receiver's next try replaces a lost one.
    urgent: pc.createDataChannel('urgent', { ...lossy, id: 4 }),
  };
}

/**
 * The sealing of one of a link's channels that carries its own messages (not frames the
 * sender sealed once for everyone): keys of its own from the signaling session, like control
 * messages, so only the member at the other end of the link can read or forge them. The
 * opener's window takes messages in any order (the urgent channel is unordered).
 */
export class ChannelSealing {
  readonly #sealer: Sealer;
  readonly #opener = new Opener({ windowSize: 64 });
  readonly #deliver: (plaintext: Uint8Array) => void;
  readonly #bufferLimit: number;

  constructor(options: {
    session: SessionKeys;
    /** Names the channel in the key derivation: no two channels share a key. */
    label: 'control' | 'bulk' | 'urgent';
    linkNumber: number;
    /** Where `receive` delivers what opened (`open` alone delivers nothing). */
    deliver?: (plaintext: Uint8Array) => void;
    bufferLimit?: number;
  }) {
    const info = `${options.label}/${options.linkNumber}`;
    this.#deliver = options.deliver ?? (() => {});
    this.#bufferLimit = options.bufferLimit ?? Number.POSITIVE_INFINITY;
    this.#sealer = new Sealer(deriveKey(options.session.sendKey, info), 0);
    this.#opener.addKey(0, deriveKey(options.session.receiveKey, info));
  }

  seal(plaintext: Uint8Array): Uint8Array {
    return this.#sealer.seal(plaintext);
  }

  /** False when the channel's buffer is over its limit: the caller retries later. */
  send(channel: DataChannel, plaintext: Uint8Array): boolean {
    if (channel.bufferedAmount() > this.#bufferLimit) return false;
    return channel.sendMessageBinary(this.#sealer.seal(plaintext));
  }

  /** Opens one message without delivering it (the link counts what does not open). */
  open(message: Uint8Array): OpenResult {
    return this.#opener.open(message);
  }

  /** Delivers the message if it opens; false otherwise. */
  receive(message: string | Buffer | ArrayBuffer): boolean {
    const opened = this.open(toBytes(message));
    if (opened.ok) this.#deliver(opened.plaintext);
    return opened.ok;
  }
}
