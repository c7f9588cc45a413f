import { TypedEmitter } from '../base/typed-emitter.js';
import type { Logger } from '../base/logger.js';
import { OwnMediaKey } from '../media/keys.js';
import type { EncodeTarget } from '../media/quality-controller.js';
import type { MediaReceiverStats, ReceivedFrame } from '../media/receiver.js';
import { MediaReceiver } from '../media/receiver.js';
import type { MediaSenderStats, OutgoingFrame } from '../media/sender.js';
import { MediaSender } from '../media/sender.js';
import type { ControlMessage } from '../link/control-messages.js';
import type { CallLink } from './call-link.js';

export interface MemberMediaStats extends MediaReceiverStats {
  peer: string;
  rttMs: number | null;
}

export interface CallMediaEvents {
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
}

/** A member as media sees it: who, and the link its frames and reports travel on. */
export interface MediaMember {
  readonly id: string;
  readonly link: CallLink | null;
}

/**
 * A call's video: our own media key (rotated whenever the membership changes), the sender
 * that seals each frame once for every member, and one receiver per member. Owns the
 * receivers and closes them.
 */
export class CallMedia extends TypedEmitter<CallMediaEvents> {
  readonly #key = new OwnMediaKey();
  readonly #sender = new MediaSender(this.#key);
  readonly #receivers = new Map<string, MediaReceiver>();
  #closed = false;

  constructor(logger: Logger) {
    super({ logger, name: 'call media' });
    this.#sender.on('adapt', (target) => this.emit('encode-target', target));
  }

  /** Starts receiving from a member (idempotent); `clockOffset` corrects its capture times. */
  receive(memberId: string, clockOffset: () => number | null): void {
    if (this.#closed || this.#receivers.has(memberId)) return;
    const receiver = new MediaReceiver(memberId, clockOffset);
    receiver.on('frame', (frame) => this.emit('frame', frame));
    this.#receivers.set(memberId, receiver);
  }

  /** A media chunk that arrived on a member's link. */
  push(memberId: string, chunk: Uint8Array): void {
    this.#receivers.get(memberId)?.push(chunk);
  }

  /** A member's own media key as it announced it, or its report of what arrived of ours. */
  handle(
    memberId: string,
    message: Extract<ControlMessage, { t: 'media-key' | 'media-report' }>,
  ): void {
    if (message.t === 'media-key') {
      this.#receivers.get(memberId)?.addKey({ keyId: message.keyId, key: message.key });
    } else {
      this.#sender.onReport(message);
    }
  }

  stopReceiving(memberId: string): void {
    this.#receivers.get(memberId)?.close();
    this.#receivers.delete(memberId);
  }

  /** Draws a new key and hands it to every member on `links`. */
  rotateKey(links: Iterable<CallLink>): void {
    if (this.#closed) return;
    const { keyId, key } = this.#key.rotate();
    for (const link of links) link.sendControl({ t: 'media-key', keyId, key });
  }

  /** Hands the current key to one member (back after a dropped link: same key). */
  announceKey(link: CallLink): void {
    const { keyId, key } = this.#key.announcement();
    link.sendControl({ t: 'media-key', keyId, key });
  }

  /** Seals the frame once and offers it on every open link. */
  send(frame: OutgoingFrame, links: Iterable<CallLink>): void {
    if (this.#closed) return;
    this.#sender.send(frame, links);
  }

  /** Tells each connected member what arrived of its frames lately. */
  sendReports(members: Iterable<MediaMember>): void {
    for (const member of members) {
      const receiver = this.#receivers.get(member.id);
      if (!receiver) continue;
      const report = receiver.takeReport();
      if (report.received === 0 && report.lost === 0) continue;
      member.link?.sendControl({ t: 'media-report', ...report });
    }
  }

  latestFrame(memberId: string): ReceivedFrame | null {
    return this.#receivers.get(memberId)?.latest ?? null;
  }

  stats(members: Iterable<MediaMember>): {
    sending: MediaSenderStats;
    members: MemberMediaStats[];
  } {
    const now = Date.now();
    const stats: MemberMediaStats[] = [];
    for (const member of members) {
      const receiver = this.#receivers.get(member.id);
      if (!receiver) continue;
      stats.push({
        peer: member.id,
        rttMs: member.link?.stats.rttMs ?? null,
        ...receiver.stats(now),
      });
    }
    return { sending: this.#sender.stats(now), members: stats };
  }

  /** Idempotent: closes every receiver. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const receiver of this.#receivers.values()) receiver.close();
    this.#receivers.clear();
    this.removeAllListeners();
  }
}
