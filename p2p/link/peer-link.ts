import { PeerConnection } from 'node-datachannel';
import type { DataChannel } from 'node-datachannel';
import { Opener, Sealer, deriveKey } from '../../crypto/index.js';
import type { ControlMessage } from './control-messages.js';
import { controlMessageSchema } from './control-messages.js';
import { MeshError, errorText } from '../base/errors.js';
import { decodeJson, encodeJson } from '../base/json-codec.js';
import type { Logger } from '../base/logger.js';
import { silentLogger } from '../base/logger.js';
import { BulkSealing } from './bulk-channel.js';
import { ClockOffset } from './clock-offset.js';
import { ControlBudget } from './control-budget.js';
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

const CONTROL_ID = 0;
const MEDIA_ID = 1;
const VOICE_ID = 2;
const BULK_ID = 3;
const CHANNEL_COUNT = 4;
/** SCTP resends a frame's lost tail when the next frame's SACKs show the gap (a frame later):
 * at 40 ms such tails expired (lost keyframes, 340–370 ms freezes at 5 % loss); 80 ms covers it. */
const MEDIA_LIFETIME_MS = 80;

/**
 * One WebRTC PeerConnection to one peer with four pre-negotiated channels: reliable ordered
 * control (every message sealed with keys from the signaling session), unordered partially
 * reliable media (chunks of frames the sender sealed with its media key), unordered
 * no-retransmit voice (packets sealed likewise) and reliable ordered bulk (watch party pieces,
 * p2p/link/bulk-channel.ts). Each has an SCTP stream of its own, so the stream scheduler
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
  readonly #controlSealer: Sealer;
  readonly #controlOpener = new Opener({ windowSize: 64 });
  readonly #clock = new ClockOffset();
  readonly #budget: ControlBudget;
  readonly #bulkSealing: BulkSealing;
  // node-datachannel closes a PeerConnection or DataChannel whose JS object is garbage
  // collected (docs/architecture.md, "Facts learned on these machines"): these fields hold
  // them for the link's life.
  #pc: PeerConnection | null = null;
  #control: DataChannel | null = null;
  #media: DataChannel | null = null;
  #voice: DataChannel | null = null;
  #bulk: DataChannel | null = null;
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
    const { sendKey, receiveKey } = options.session;
    const n = options.linkNumber;
    this.#controlSealer = new Sealer(deriveKey(sendKey, `control/${n}`), 0);
    this.#controlOpener.addKey(0, deriveKey(receiveKey, `control/${n}`));
    this.#bulkSealing = new BulkSealing(options.session, n, (frame) => this.emit('bulk', frame));
    this.#budget = new ControlBudget(options.peerId, this.#logger, options.controlBudget);
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
    const channel = this.#control;
    if (this.#state !== 'open' || !channel) return false;
    const packet = this.#controlSealer.seal(encodeJson(message));
    this.stats.controlSent++;
    return this.#guard('send control', () => channel.sendMessageBinary(packet)) ?? false;
  }

  /**
   * Sends one media chunk as it is: frames are sealed once by the sender with its own
   * media key (handed out over the sealed control channel) before they are chunked.
   */
  sendMedia(chunk: Uint8Array): boolean {
    const channel = this.#media;
    if (this.#state !== 'open' || !channel) return false;
    this.stats.mediaSent++;
    return this.#guard('send media', () => channel.sendMessageBinary(chunk)) ?? false;
  }

  /** Sends one sealed voice packet as it is (sealed once by the sender, like frames). */
  sendVoice(packet: Uint8Array): boolean {
    const channel = this.#voice;
    if (this.#state !== 'open' || !channel) return false;
    this.stats.voiceSent++;
    return this.#guard('send voice', () => channel.sendMessageBinary(packet)) ?? false;
  }

  /** Sends one watch party frame, sealed; false while the bulk buffer is full (retry later). */
  sendBulk(frame: Uint8Array): boolean {
    const channel = this.#state === 'open' ? this.#bulk : null;
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
    return this.#guard('read buffer', () => this.#media?.bufferedAmount()) ?? 0;
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
    for (const closable of [this.#control, this.#media, this.#voice, this.#bulk, this.#pc]) {
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
    const lossy = { negotiated: true, unordered: true, maxRetransmits: 0 } as const;
    this.#control = pc.createDataChannel('control', { negotiated: true, id: CONTROL_ID });
    // Media is partially reliable: a chunk lost on a LAN is resent within a few tens of ms,
    // which costs less than the keyframe its frame's loss would; a later resend is too late.
    const media = { negotiated: true, unordered: true, maxPacketLifeTime: MEDIA_LIFETIME_MS };
    this.#media = pc.createDataChannel('media', { ...media, id: MEDIA_ID });
    this.#voice = pc.createDataChannel('voice', { ...lossy, id: VOICE_ID });
    this.#bulk = pc.createDataChannel('bulk', { negotiated: true, id: BULK_ID });
    for (const channel of [this.#control, this.#media, this.#voice, this.#bulk]) {
      channel.onOpen(() => this.#guard('open', () => this.#onChannelOpen()));
      channel.onClosed(() =>
        this.#guard('closed', () =>
          this.close(new MeshError('ERR_LINK_FAILED', 'data channel closed')),
        ),
      );
    }
    this.#control.onMessage((message) => this.#guard('control', () => this.#onControl(message)));
    this.#media.onMessage((message) => this.#guard('media', () => this.#onLossy('media', message)));
    this.#voice.onMessage((message) => this.#guard('voice', () => this.#onLossy('voice', message)));
    this.#bulk.onMessage((message) =>
      this.#guard('bulk', () => this.#bulkSealing.receive(message)),
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
    const packet = toBytes(message);
    if (!this.#budget.admit(packet.length)) {
      this.stats.overBudget = this.#budget.dropped;
      return;
    }
    const opened = this.#controlOpener.open(packet);
    if (!opened.ok) {
      this.stats.rejected++;
      this.#logger.warn('control message rejected', { peer: this.peerId, reason: opened.reason });
      return;
    }
    const decoded = decodeJson(opened.plaintext, controlMessageSchema);
    if (!decoded.ok) {
      this.stats.rejected++;
      this.#logger.warn('control message invalid', { peer: this.peerId, reason: decoded.error });
      return;
    }
    this.#lastControl = Date.now();
    this.stats.controlReceived++;
    const value = decoded.value;
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
