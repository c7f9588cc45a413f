import { TypedEmitter } from '../base/typed-emitter.js';
import type { Logger } from '../base/logger.js';
import { OwnMediaKey, PeerMediaKeys } from '../media/keys.js';
import type { EncodeTarget } from '../media/quality-controller.js';
import type { MediaReceiverStats, ReceivedFrame } from '../media/receiver.js';
import { MediaReceiver } from '../media/receiver.js';
import type { VideoCodec } from '../media/frame.js';
import type { LayeredFrame, MediaSenderStats, OutgoingFrame } from '../media/sender.js';
import { MediaSender } from '../media/sender.js';
import type { ReceivedVoice } from '../media/voice-receiver.js';
import { VoiceReceiver } from '../media/voice-receiver.js';
import type { OutgoingVoice, VoiceSenderStats } from '../media/voice-sender.js';
import { VoiceSender } from '../media/voice-sender.js';
import { VideoPacer } from '../media/video-pacer.js';
import type { ControlMessage } from '../link/control-messages.js';
import type { CallLink } from './call-link.js';
import type { MemberPlayoutStats, PlayoutFrame } from './voice-playout.js';
import { VoicePlayout } from './voice-playout.js';

/** One member's voice as it plays here (MemberPlayoutStats plus what its packets carry). */
export interface MemberAudioStats extends MemberPlayoutStats {
  /** dBov of its latest packet (−127: silence, or nothing lately). */
  level: number;
  speaking: boolean;
}

export interface MemberMediaStats extends MediaReceiverStats {
  peer: string;
  rttMs: number | null;
  audio: MemberAudioStats;
}

export interface CallMediaEvents {
  frame: [ReceivedFrame];
  /** Congestion control asks the capture for another quality or size. */
  'encode-target': [EncodeTarget];
  /** Ask the encoder for a keyframe on this layer (a member joined, switched or lost one). */
  'keyframe-needed': [{ layer: number }];
  /** Some member cannot decode H.264: the capture should (or need no longer) add a JPEG layer. */
  'jpeg-fallback': [{ needed: boolean }];
  voice: [ReceivedVoice];
  'voice-playout': [PlayoutFrame];
}

/** CallMediaEvents, which the call reports as its own. */
export const CALL_MEDIA_EVENTS = [
  'frame',
  'encode-target',
  'keyframe-needed',
  'jpeg-fallback',
  'voice',
  'voice-playout',
] as const satisfies readonly (keyof CallMediaEvents)[];

/** What we send: video, and voice under `audio`. */
export type SendingStats = MediaSenderStats & { audio: VoiceSenderStats };

/** A member as media sees it: who, and the link its frames and reports travel on. */
export interface MediaMember {
  readonly id: string;
  readonly link: CallLink | null;
}

/** What arrives from one member: video and voice share its keys (one replay window). */
interface Incoming {
  readonly keys: PeerMediaKeys;
  readonly video: MediaReceiver;
  readonly voice: VoiceReceiver;
  /** Our video to this member, kept from delaying our voice. */
  readonly pacer: VideoPacer;
}

/** Paced video goes in small chunks, so one chunk never holds voice up for long. */
const PACED_CHUNK_BYTES = 4096;

const NO_PLAYOUT: MemberPlayoutStats = {
  packets: 0,
  lost: 0,
  concealedMs: 0,
  jitterMs: 0,
  bufferMs: 0,
  delayP50Ms: null,
  delayP95Ms: null,
};

/**
 * A call's video and voice: our own media key (rotated whenever the membership changes, for
 * both), the senders that seal each frame and voice packet once for every member, one pair of
 * receivers per member, and the voice playout clock. Owns them all and closes them.
 */
export class CallMedia extends TypedEmitter<CallMediaEvents> {
  readonly #key = new OwnMediaKey();
  readonly #sender = new MediaSender(this.#key);
  readonly #voiceSender = new VoiceSender(this.#key);
  readonly #incoming = new Map<string, Incoming>();
  readonly #playout: VoicePlayout;
  readonly #decode: readonly VideoCodec[];
  /** Whether our pictures flow (a failed camera counts as off): members show "camera off". */
  #videoOn = true;
  #closed = false;

  /** `decode`: the codecs our front end decodes (members send us only those). */
  constructor(logger: Logger, decode: readonly VideoCodec[] = ['h264', 'jpeg']) {
    super({ logger, name: 'call media' });
    this.#decode = decode;
    this.#playout = new VoicePlayout(logger);
    this.#sender.on('adapt', (target) => this.emit('encode-target', target));
    this.#sender.on('keyframe-needed', (need) => this.emit('keyframe-needed', need));
    this.#sender.on('jpeg-fallback', (fallback) => this.emit('jpeg-fallback', fallback));
    this.#playout.on('voice-playout', (frame) => this.emit('voice-playout', frame));
  }

  get muted(): boolean {
    return this.#voiceSender.muted;
  }

  /** True while the voice playout clock ticks (only while some member sends voice). */
  get playing(): boolean {
    return this.#playout.running;
  }

  /**
   * Starts receiving from a member (idempotent); its link (whichever it is at the time)
   * corrects its capture times and takes our keyframe requests.
   */
  receive(memberId: string, member: { readonly link: CallLink | null }): void {
    if (this.#closed || this.#incoming.has(memberId)) return;
    const keys = new PeerMediaKeys();
    const clockOffset = (): number | null => member.link?.clockOffsetMs ?? null;
    const video = new MediaReceiver(memberId, keys, clockOffset, { decode: this.#decode });
    video.on('frame', (frame) => this.emit('frame', frame));
    video.on('keyframe-request', (stream) => {
      // Urgent first: on the ordered control channel a lost request holds back the retries.
      const request = { t: 'keyframe', stream } as const;
      if (!member.link?.sendUrgent?.(request)) member.link?.sendControl(request);
    });
    this.#incoming.set(memberId, {
      keys,
      video,
      voice: new VoiceReceiver(memberId, keys, clockOffset),
      pacer: new VideoPacer(),
    });
  }

  /** A media chunk that arrived on a member's link. */
  push(memberId: string, chunk: Uint8Array): void {
    this.#incoming.get(memberId)?.video.push(chunk);
  }

  /** A sealed voice packet that arrived on a member's link. */
  pushVoice(memberId: string, sealed: Uint8Array): void {
    const voice = this.#incoming.get(memberId)?.voice.push(sealed);
    if (!voice) return;
    this.emit('voice', voice);
    this.#playout.push(voice);
  }

  /**
   * A member's own media key as it announced it, its report of what arrived of ours, its
   * request for a keyframe, or what it decodes.
   */
  handle(
    memberId: string,
    message: Extract<ControlMessage, { t: 'media-key' | 'media-report' | 'keyframe' | 'codecs' }>,
  ): void {
    switch (message.t) {
      case 'media-key':
        this.#incoming.get(memberId)?.keys.add({ keyId: message.keyId, key: message.key });
        return;
      case 'media-report':
        this.#sender.onReport(memberId, message);
        this.#incoming.get(memberId)?.pacer.onReport(message);
        return;
      case 'keyframe':
        this.#sender.onKeyframeRequest(memberId, message.stream);
        return;
      case 'codecs':
        this.#sender.setDecoders(memberId, message.decode);
        return;
    }
  }

  /** Our front end could not decode a member's video: ask it for a keyframe. */
  requestKeyframe(memberId: string): void {
    this.#incoming.get(memberId)?.video.requestKeyframe();
  }

  stopReceiving(memberId: string): void {
    this.#sender.remove(memberId);
    this.#incoming.get(memberId)?.video.close();
    this.#incoming.get(memberId)?.pacer.close();
    this.#incoming.delete(memberId);
    this.#playout.remove(memberId);
  }

  /** Draws a new key (video and voice) and hands it to every member on `links`. */
  rotateKey(links: Iterable<CallLink>): void {
    if (this.#closed) return;
    const { keyId, key } = this.#key.rotate();
    for (const link of links) link.sendControl({ t: 'media-key', keyId, key });
  }

  /**
   * Hands the current key, our mute state and what we decode to one member (on every link
   * that opens); our video to it starts over at a keyframe.
   */
  announceTo(link: CallLink, withKey: boolean): void {
    if (withKey) {
      const { keyId, key } = this.#key.announcement();
      link.sendControl({ t: 'media-key', keyId, key });
    }
    link.sendControl({ t: 'mute-state', muted: this.#voiceSender.muted });
    // Also on a link made again: a change sent while the old one was down never arrived.
    link.sendControl({ t: 'video-state', enabled: this.#videoOn });
    link.sendControl({ t: 'codecs', decode: [...this.#decode] });
    this.#sender.restart(link.peerId);
  }

  /**
   * Seals each layer of the frame once and offers each open link the layer chosen for it,
   * through that member's pacer.
   */
  send(frame: LayeredFrame | OutgoingFrame, links: Iterable<CallLink>): void {
    if (this.#closed) return;
    const targets: { peerId: string; link: VideoPacer }[] = [];
    for (const link of links) {
      const pacer = this.#incoming.get(link.peerId)?.pacer;
      if (pacer) targets.push({ peerId: link.peerId, link: pacer.bind(link) });
    }
    const small = targets.some((target) => target.link.paced);
    this.#sender.send(frame, targets, Date.now(), small ? PACED_CHUNK_BYTES : undefined);
  }

  /** Seals the voice packet once and offers it on every open link; nothing while muted. */
  sendVoice(packet: OutgoingVoice, links: Iterable<CallLink>): void {
    if (this.#closed) return;
    for (const link of this.#voiceSender.send(packet, links)) {
      this.#incoming.get(link.peerId)?.pacer.noteVoice();
    }
  }

  /** Returns false when nothing changed; tells every member on `links` otherwise. */
  setMuted(muted: boolean, links: Iterable<CallLink>): boolean {
    if (this.#closed || this.#voiceSender.muted === muted) return false;
    this.#voiceSender.muted = muted;
    for (const link of links) link.sendControl({ t: 'mute-state', muted });
    return true;
  }

  /** Our video went on or off; every member on `links` is told of a change. */
  setVideo(enabled: boolean, links: Iterable<CallLink>): void {
    if (this.#closed || this.#videoOn === enabled) return;
    this.#videoOn = enabled;
    for (const link of links) link.sendControl({ t: 'video-state', enabled });
  }

  /** Tells each connected member what arrived of its frames lately. */
  sendReports(members: Iterable<MediaMember>): void {
    for (const member of members) {
      const incoming = this.#incoming.get(member.id);
      if (!incoming) continue;
      const report = incoming.video.takeReport();
      const queueMs = incoming.voice.takeQueueMs();
      if (report.received === 0 && report.lost === 0 && queueMs === null) continue;
      const kbps = Math.round(incoming.video.stats().kbps);
      const queue = queueMs === null ? {} : { queueMs: Math.round(queueMs) };
      member.link?.sendControl({ t: 'media-report', ...report, ...queue, kbps });
    }
  }

  latestFrame(memberId: string): ReceivedFrame | null {
    return this.#incoming.get(memberId)?.video.latest ?? null;
  }

  stats(members: Iterable<MediaMember>): {
    sending: SendingStats;
    members: MemberMediaStats[];
  } {
    const now = Date.now();
    const stats: MemberMediaStats[] = [];
    for (const member of members) {
      const incoming = this.#incoming.get(member.id);
      if (!incoming) continue;
      const video = incoming.video.stats(now);
      const { rejected, level, speaking } = incoming.voice.stats(now);
      const playout = this.#playout.stats(member.id) ?? NO_PLAYOUT;
      stats.push({
        peer: member.id,
        rttMs: member.link?.stats.rttMs ?? null,
        ...video,
        rejected: video.rejected + rejected,
        audio: { ...playout, level, speaking },
      });
    }
    const sending = { ...this.#sender.stats(now), audio: this.#voiceSender.stats(now) };
    return { sending, members: stats };
  }

  /** Idempotent: closes every receiver and stops the playout clock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const incoming of this.#incoming.values()) {
      incoming.video.close();
      incoming.pacer.close();
    }
    this.#incoming.clear();
    this.#sender.close();
    this.#playout.close();
    this.removeAllListeners();
  }
}
