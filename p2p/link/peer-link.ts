import { PeerConnection } from 'node-datachannel';
import type { ControlMessage } from './control-messages.js';
import type { KeyframeRequest } from './control-intake.js';
import { ControlIntake } from './control-intake.js';
import { MeshError, errorText } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import type { LinkChannels } from './sealed-channel.js';
import {
  CHANNEL_COUNT,
  ChannelSealing,
  channelList,
  BULK_BUFFER_LIMIT,
  createLinkChannels,
} from './sealed-channel.js';
import { ClockOffset } from './clock-offset.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type {
  LinkSignalBody,
  LinkState,
  PeerLinkEvents,
  PeerLinkOptions,
  PeerLinkStats,
} from './link-types.js';
import { toBytes } from './link-types.js';

export type {
  LinkSignalBody,
  LinkState,
  PeerLinkEvents,
  PeerLinkOptions,
  PeerLinkStats,
} from './link-types.js';

/**
 * One WebRTC PeerConnection to one peer with five pre-negotiated channels: reliable ordered
 * control (every message sealed with keys from the signaling session), unordered partially
 * reliable media (chunks of frames the sender sealed with its media key), unordered
 * no-retransmit voice (packets sealed likewise), reliable ordered bulk (watch party pieces)
 * and unordered no-retransmit urgent (keyframe requests; both sealed like control, see
 * sealed-channel.ts). Each has an SCTP stream of its own, so the stream scheduler
 * interleaves voice with video chunks and pieces instead of queueing it behind them.
 */
export class PeerLink extends TypedEmitter<PeerLinkEvents> {
  readonly peerId: string;
  readonly stats: PeerLinkStats = {
    controlSent: 0,
    controlReceived: 0,
    mediaSent: 0,
    mediaReceived: 0,
    voiceSent: 0,
    voiceReceived: 0,
    rejected: 0,
    overBudget: 0,
    rttMs: null,
  };
  readonly #options: PeerLinkOptions;
  readonly #logger: Logger;
  readonly #intake: ControlIntake;
  readonly #clock = new ClockOffset();
  readonly #bulkSealing: ChannelSealing;
  // node-datachannel closes a PeerConnection or DataChannel whose JS object is garbage
  // collected (docs/architecture.md, "Facts learned on these machines"): these fields hold
  // them for the link's life.
  #pc: PeerConnection | null = null;
  #channels: LinkChannels | null = null;
  #openChannels = 0;
  #state: LinkState = 'connecting';
  #pendingCandidates: { candidate: string; mid: string }[] = [];
  /** Offerer only: our candidates, held until the answer is applied (see createPeerConnection). */
  #heldCandidates: { candidate: string; mid: string }[] = [];
  #answerApplied = false;
  #heartbeat: NodeJS.Timeout | null = null;
  #lastControl = Date.now();
  readonly #createdAt = Date.now();

  constructor(options: PeerLinkOptions) {
    super({ logger: options.logger });
    this.#options = options;
    this.peerId = options.peerId;
    this.#logger = options.logger ?? silentLogger;
    const sealing = { session: options.session, linkNumber: options.linkNumber };
    this.#bulkSealing = new ChannelSealing({
      ...sealing,
      label: 'bulk',
      deliver: (frame) => this.emit('bulk', frame),
      bufferLimit: BULK_BUFFER_LIMIT,
    });
    const { peerId, controlBudget: budget } = options;
    this.#intake = new ControlIntake({
      ...sealing,
      peerId,
      logger: this.#logger,
      stats: this.stats,
      budget,
    });
  }

  get state(): LinkState {
    return this.#state;
  }

  get offerer(): boolean {
    return this.#options.offerer;
  }

  /** The offerer creates its offer; the answerer waits for it. */
  start(): void {
    if (this.#state === 'closed' || this.#pc) return;
    if (this.#options.offerer) {
      this.#createPeerConnection();
      this.#guard('create offer', () => this.#pc?.setLocalDescription('offer'));
    }
    const heartbeatMs = this.#options.heartbeatMs ?? 500;
    this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
  }

  handleSignal(signal: LinkSignalBody): void {
    if (this.#state === 'closed') return;
    switch (signal.t) {
      case 'offer':
        if (this.#options.offerer || this.#pc) {
          this.close(new MeshError('ERR_PROTOCOL', 'unexpected offer'));
          return;
        }
        this.#createPeerConnection();
        this.#guard('apply offer', () => {
          this.#pc?.setRemoteDescription(signal.sdp, 'offer');
          this.#pc?.setLocalDescription('answer');
        });
        this.#flushCandidates();
        return;
      case 'answer':
        if (!this.#options.offerer || !this.#pc || this.#pc.remoteDescription()) {
          this.close(new MeshError('ERR_PROTOCOL', 'unexpected answer'));
          return;
        }
        this.#guard('apply answer', () => this.#pc?.setRemoteDescription(signal.sdp, 'answer'));
        this.#answerApplied = true;
        for (const held of this.#heldCandidates.splice(0)) {
          this.emit('signal', { t: 'candidate', ...held });
        }
        this.#flushCandidates();
        return;
      case 'candidate':
        if (this.#pendingCandidates.length >= 64) return;
        this.#pendingCandidates.push({ candidate: signal.candidate, mid: signal.mid });
        this.#flushCandidates();
        return;
    }
  }

  sendControl(message: ControlMessage): boolean {
    const channel = this.#channels?.control;
    if (this.#state !== 'open' || !channel) return false;
    const packet = this.#intake.seal(message);
    return this.#guard('send control', () => channel.sendMessageBinary(packet)) ?? false;
  }

  /**
   * A keyframe request on the unordered urgent channel: each try travels alone (a lost one
   * does not hold the next back, as on the control channel). False when it could not go.
   */
  sendUrgent(message: KeyframeRequest): boolean {
    const channel = this.#state === 'open' ? this.#channels?.urgent : null;
    if (!channel) return false;
    return this.#guard('send urgent', () => this.#intake.sendUrgent(channel, message)) ?? false;
  }

  /**
   * Sends one media chunk as it is: frames are sealed once by the sender with its own
   * media key (handed out over the sealed control channel) before they are chunked.
   */
  sendMedia(chunk: Uint8Array): boolean {
    const channel = this.#channels?.media;
    if (this.#state !== 'open' || !channel) return false;
    this.stats.mediaSent++;
    return this.#guard('send media', () => channel.sendMessageBinary(chunk)) ?? false;
  }

  /** Sends one sealed voice packet as it is (sealed once by the sender, like frames). */
  sendVoice(packet: Uint8Array): boolean {
    const channel = this.#channels?.voice;
    if (this.#state !== 'open' || !channel) return false;
    this.stats.voiceSent++;
    return this.#guard('send voice', () => channel.sendMessageBinary(packet)) ?? false;
  }

  /** Sends one watch party frame, sealed; false while the bulk buffer is full (retry later). */
  sendBulk(frame: Uint8Array): boolean {
    const channel = this.#state === 'open' ? this.#channels?.bulk : null;
    if (!channel) return false;
    return this.#guard('send bulk', () => this.#bulkSealing.send(channel, frame)) ?? false;
  }

  /** When the peer was last heard on the control channel (heartbeats included). */
  get lastHeard(): number {
    return this.#lastControl;
  }

  /** Estimated (peer clock − our clock) in ms, or null before the first pong. */
  get clockOffsetMs(): number | null {
    return this.#clock.offsetMs;
  }

  get mediaBufferedAmount(): number {
    return this.#guard('read buffer', () => this.#channels?.media.bufferedAmount()) ?? 0;
  }

  /**
   * Says bye and lets the peer hang up first, so the bye is not lost in our own
   * teardown; closes anyway after `graceMs`. Resolves once the link is closed.
   */
  hangUp(graceMs = 500): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.close(), graceMs);
      this.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!this.sendControl({ t: 'bye' })) this.close();
    });
  }

  /** Idempotent; the one failure path. */
  close(error: MeshError | null = null): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const closable of [...(this.#channels ? channelList(this.#channels) : []), this.#pc]) {
      try {
        closable?.close();
      } catch {
        // Already closed natively; nothing left to release.
      }
    }
    if (error) {
      this.#logger.info('link closed', {
        peer: this.peerId,
        code: error.code,
        reason: error.message,
      });
    }
    this.emit('close', error);
    this.removeAllListeners();
  }

  #createPeerConnection(): void {
    const pc = new PeerConnection(this.#options.localId, {
      iceServers: [],
      // Auto-negotiation would make the answerer offer as soon as it creates its channels.
      disableAutoNegotiation: true,
    });
    this.#pc = pc;
    // Order matters (measured: a DTLS "unknown CA" failure in ~1 of 10 set-ups otherwise).
    // If the answerer learns the offerer's candidates before the offerer has the answer,
    // it connects and sends its DTLS hello while the offerer cannot check its certificate
    // yet. So the offer leaves at once with no candidates, the answer leaves with all of
    // the answerer's candidates, and the offerer's own candidates follow only after it
    // has applied the answer; by then the offerer has already started the checks.
    if (this.#options.offerer) {
      pc.onLocalDescription((sdp, type) =>
        this.#guard('local description', () => {
          if (type === 'offer' && this.#state !== 'closed')
            this.emit('signal', { t: 'offer', sdp });
        }),
      );
      pc.onLocalCandidate((candidate, mid) =>
        this.#guard('local candidate', () => {
          if (this.#state === 'closed') return;
          if (this.#answerApplied) this.emit('signal', { t: 'candidate', candidate, mid });
          else this.#heldCandidates.push({ candidate, mid });
        }),
      );
    } else {
      pc.onGatheringStateChange((state) =>
        this.#guard('gathering', () => {
          if (state !== 'complete' || this.#state === 'closed') return;
          const description = pc.localDescription();
          if (description) this.emit('signal', { t: 'answer', sdp: description.sdp });
        }),
      );
    }
    pc.onStateChange((state) =>
      this.#guard('state', () => {
        if (state === 'failed' || state === 'closed') {
          this.close(new MeshError('ERR_LINK_FAILED', `peer connection ${state}`));
        }
      }),
    );
    const channels = createLinkChannels(pc);
    this.#channels = channels;
    for (const channel of channelList(channels)) {
      channel.onOpen(() => this.#guard('open', () => this.#onChannelOpen()));
      channel.onClosed(() =>
        this.#guard('closed', () =>
          this.close(new MeshError('ERR_LINK_FAILED', 'data channel closed')),
        ),
      );
    }
    const { control, media, voice } = channels;
    control.onMessage((message) => this.#guard('control', () => this.#onControl(message)));
    media.onMessage((message) => this.#guard('media', () => this.#onLossy('media', message)));
    voice.onMessage((message) => this.#guard('voice', () => this.#onLossy('voice', message)));
    channels.bulk.onMessage((message) =>
      this.#guard('bulk', () => {
        if (this.#state !== 'closed' && !this.#bulkSealing.receive(message)) this.stats.rejected++;
      }),
    );
    channels.urgent.onMessage((message) =>
      this.#guard('urgent', () => {
        const value = this.#state === 'open' ? this.#intake.fromUrgent(message) : null;
        if (value) this.emit('control', value);
      }),
    );
  }

  #onChannelOpen(): void {
    this.#openChannels++;
    if (this.#openChannels === CHANNEL_COUNT && this.#state === 'connecting') {
      this.#state = 'open';
      this.#lastControl = Date.now();
      this.emit('open');
    }
  }

  #onControl(message: string | Buffer | ArrayBuffer): void {
    if (this.#state === 'closed') return;
    const value = this.#intake.fromControl(message);
    if (!value) return;
    this.#lastControl = Date.now();
    if (value.t === 'ping') {
      this.sendControl({ t: 'pong', ts: value.ts, now: Date.now() });
      return;
    }
    if (value.t === 'pong') {
      const now = Date.now();
      this.stats.rttMs = Math.max(0, now - value.ts);
      this.#clock.add(value.ts, value.now, now);
      return;
    }
    this.emit('control', value);
  }

  #onLossy(kind: 'media' | 'voice', message: string | Buffer | ArrayBuffer): void {
    if (this.#state === 'closed') return;
    if (kind === 'media') this.stats.mediaReceived++;
    else this.stats.voiceReceived++;
    this.emit(kind, toBytes(message));
  }

  #beat(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connecting') {
      if (Date.now() - this.#createdAt > (this.#options.openTimeoutMs ?? 4000)) {
        this.close(new MeshError('ERR_LINK_FAILED', 'link did not open in time'));
      }
      return;
    }
    const deadAfter = this.#options.deadAfterMs ?? 6000;
    if (Date.now() - this.#lastControl > deadAfter) {
      this.close(new MeshError('ERR_HEARTBEAT_TIMEOUT', 'peer stopped answering'));
      return;
    }
    if (this.#state === 'open') this.sendControl({ t: 'ping', ts: Date.now() });
  }

  #flushCandidates(): void {
    const pc = this.#pc;
    if (!pc || !this.#guard('read description', () => pc.remoteDescription())) return;
    for (const { candidate, mid } of this.#pendingCandidates.splice(0)) {
      this.#guard('add candidate', () => pc.addRemoteCandidate(candidate, mid));
    }
  }

  /**
   * node-datachannel aborts the whole process when a callback throws, and throws on
   * calls into a closed connection; every native call and callback goes through here.
   */
  #guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.#logger.warn('link operation failed', {
        peer: this.peerId,
        what,
        reason: errorText(err),
      });
      this.close(new MeshError('ERR_LINK_FAILED', `${what} failed: ${errorText(err)}`));
      return undefined;
    }
  }
}
