import type { IdentityKeys } from '../crypto/index.js';
import {
  KnownPeers,
  fingerprint,
  loadOrCreateIdentity,
  peerIdFromPublicKey,
  toBase64,
} from '../crypto/index.js';
import { ConnectionPool } from '../p2p/signaling/connection-pool.js';
import { Discovery } from '../p2p/discovery/discovery.js';
import { errorText } from '../p2p/base/errors.js';
import type { Logger } from '../p2p/base/logger.js';
import { SignalingServer } from '../p2p/signaling/server.js';
import { TypedEmitter } from '../p2p/base/typed-emitter.js';
import type {
  ApiErrorCode,
  Command,
  CommandName,
  MediaSettingsView,
  SessionEvent,
  SessionEventName,
} from '../protocol/api.js';
import type { EventBody } from './api-reports.js';
import type { CallContent, ReceivedVoice } from './call-adapter.js';
import { CALL_API_EVENTS, CallAdapter, isGestureCommand } from './call-adapter.js';
import { CommandError, isApiError } from './command-error.js';
import type { LocalMediaOptions } from './local-media.js';
import { LocalMedia } from './local-media.js';
import { videoSourcesEvent } from './media/camera-list.js';
import { listFilters } from './media/filters.js';
import { parseSourceSpec } from './media/settings.js';
import { SnapshotDecoder, snapshotEvent, snapshotInputOf } from './media/snapshot-decoder.js';
import type { EncodedFrame } from './media/video-capture.js';
import type { ReceivedFrame } from '../p2p/media/receiver.js';
import { historyEvent, runExportCommand } from './chat-export.js';
import { ProcessHealth } from './health.js';
import { ensureDataDir, ownerOnlyFile } from './owner-only-file.js';
import { PEER_DIRECTORY_EVENTS, PeerDirectory } from './peer-directory.js';
import type { SessionAudioOptions } from './session-audio.js';
import { SessionAudio } from './session-audio.js';
import { SessionParty, isPartyCommand, partyCacheDir } from './session-party.js';
import { frameEvent, renameNode } from './session-profile.js';
import { isProfileCommand } from '../protocol/profile-api.js';

export interface SessionOptions {
  name: string;
  dataDir: string;
  /** Signaling TCP port; 0 picks a free one. */
  port: number;
  autoAccept: boolean;
  logger: Logger;
  inviteTimeoutMs?: number;
  /** A member whose link is not up after this long is dropped from the call. */
  linkTimeoutMs?: number;
  media: LocalMediaOptions;
  /** Report every received frame (and voice packet) as an event (metadata only): bots, tests. */
  frameEvents?: boolean;
  /** Our voice at start; default `none`. */
  audioSource?: SessionAudioOptions['audioSource'];
}

export interface SessionEvents {
  event: [SessionEvent];
  /** Video for front ends that draw it (kept out of `event`: binary, 30 per second). */
  'remote-frame': [ReceivedFrame];
  'local-frame': [EncodedFrame];
  /** A member's voice packet, for front ends that play it (the page decodes it itself). */
  'remote-voice': [ReceivedVoice];
}

/**
 * The node: the typed API every front end drives. Owns the signaling server and pool,
 * discovery, the peer directory, the calls (CallAdapter) and local media; maps commands to
 * them and their events to API events. close() cascades.
 */
export class Session extends TypedEmitter<SessionEvents> {
  readonly id: string;
  #name: string;
  readonly #options: SessionOptions;
  readonly #log: Logger;
  readonly #identity: IdentityKeys;
  readonly #server: SignalingServer;
  readonly #pool: ConnectionPool;
  #discovery: Discovery | null = null;
  readonly #directory: PeerDirectory;
  readonly #calls: CallAdapter;
  #closed = false;
  readonly #media: LocalMedia;
  readonly #snapshots = new SnapshotDecoder();
  /** Our voice and the recordings (front ends hand it the page's microphone packets). */
  readonly audio: SessionAudio;
  readonly party: SessionParty;
  readonly #health = new ProcessHealth();
  /** A front end shows the self view outside calls: keep the camera on after a call. */
  #previewWanted = false;

  private constructor(options: SessionOptions, identity: IdentityKeys, knownPeers: KnownPeers) {
    super({ logger: options.logger });
    this.#options = options;
    this.#log = options.logger;
    this.#identity = identity;
    this.id = peerIdFromPublicKey(identity.publicKey);
    this.#name = options.name;
    this.#server = new SignalingServer({
      identity,
      name: options.name,
      port: options.port,
      logger: options.logger,
    });
    this.#pool = new ConnectionPool({
      server: this.#server,
      logger: options.logger,
      inUse: (connection) => this.#directory.needs(connection) || this.#calls.needs(connection),
    });
    this.#directory = new PeerDirectory({
      localId: this.id,
      localKey: identity.publicKey,
      knownPeers,
      pool: this.#pool,
      logger: options.logger,
    });
    this.#calls = new CallAdapter({
      id: this.id,
      name: options.name,
      identity,
      pool: this.#pool,
      peers: this.#directory,
      signalingPort: () => this.#server.port,
      logger: options.logger,
      inviteTimeoutMs: options.inviteTimeoutMs,
      linkTimeoutMs: options.linkTimeoutMs,
      autoAccept: options.autoAccept,
      partyCacheDir: partyCacheDir(options.dataDir),
    });
    this.#media = new LocalMedia({ ...options.media, logger: options.logger });
    this.audio = new SessionAudio(options, this.#calls);
    this.audio.on('event', (event) => this.#emit(event));
    this.party = new SessionParty({ ...options, id: this.id, identity }, this.#calls);
    this.party.on('event', (event) => this.#emit(event));
    this.#pool.on('connection', (connection) => {
      const peer = connection.peer;
      if (!peer) return;
      this.#directory.meet(peer);
      this.#calls.adopt(connection);
    });
    for (const name of PEER_DIRECTORY_EVENTS) {
      this.#directory.on(name, (body) => this.#report(name, body));
    }
    for (const name of CALL_API_EVENTS) {
      this.#calls.on(name, (body) => this.#report(name, body));
    }
    this.#watchCalls();
    this.#media.on('frame', (frame) => {
      this.#calls.call?.sendFrame(frame);
      this.#snapshots.push(this.id, snapshotInputOf(frame));
      this.emit('local-frame', frame);
    });
    this.#media.on('settings', (view) => this.#emit({ event: 'media-settings', ...view }));
  }

  /** Loads (or creates) the identity and the known-peers list from the data folder. */
  static async create(options: SessionOptions): Promise<Session> {
    await ensureDataDir(options.dataDir);
    const { keys, created } = await loadOrCreateIdentity(
      ownerOnlyFile(options.dataDir, 'identity.json'),
    );
    const knownPeers = await KnownPeers.load(ownerOnlyFile(options.dataDir, 'known-peers.json'));
    const session = new Session(options, keys, knownPeers);
    if (created) options.logger.info('created a new identity', { id: session.id });
    return session;
  }

  get name(): string {
    return this.#name;
  }

  /** The media settings as front ends show them. */
  get mediaSettings(): MediaSettingsView {
    return this.#media.view;
  }

  get fingerprint(): string {
    return fingerprint(this.#identity.publicKey);
  }

  /** Listens, publishes, browses; then reports `ready`. */
  async start(): Promise<void> {
    const port = await this.#server.listen();
    if (this.#closed) return;
    const discovery = new Discovery({
      id: this.id,
      name: this.name,
      publicKey: this.#identity.publicKey,
      port,
      logger: this.#log,
    });
    this.#discovery = discovery;
    this.#directory.watch(discovery);
    discovery.start();
    this.#media.warmUp();
    this.#emit({
      event: 'ready',
      id: this.id,
      name: this.name,
      port,
      fingerprint: this.fingerprint,
      publicKey: toBase64(this.#identity.publicKey),
    });
  }

  /** Runs one command; failures come back as `error` events, never as exceptions. */
  handle(command: Command): void {
    this.#run(command).catch((err: unknown) => this.#reportFailure(command.cmd, err));
  }

  /** Idempotent: leaves the call, closes every connection, says goodbye on mDNS. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.audio.close();
    this.party.close();
    const leaving = this.#calls.close();
    this.#closed = true;
    await leaving;
    this.#directory.close();
    await this.#directory.flush();
    await this.#media.close();
    this.#pool.close();
    this.#server.close();
    // Last: peers see our invites and links end on these connections before we leave
    // their peer lists.
    await this.#discovery?.close();
    this.#health.close();
    this.removeAllListeners();
  }

  // ---- commands -------------------------------------------------------------------------

  async #run(command: Command): Promise<void> {
    if (isPartyCommand(command)) return this.party.handle(command);
    if (isGestureCommand(command)) return this.#calls.gesture(command);
    if (isProfileCommand(command)) return this.#rename(command.name.trim());
    switch (command.cmd) {
      case 'invite':
        return this.#calls.invite(command.peer);
      case 'accept':
        return this.#calls.accept(command.call);
      case 'decline':
        return this.#calls.decline(command.call, command.reason ?? 'declined');
      case 'cancel-invite':
        return this.#calls.cancelInvite(command.peer);
      case 'chat':
        return this.#chat(command.text);
      case 'leave':
        return this.#calls.leave();
      case 'add-peer':
        return this.#directory.add(command.host, command.port);
      case 'peers':
        return this.#emit({ event: 'peers', peers: this.#directory.views() });
      case 'trust':
        return this.#directory.trust(command.peer);
      case 'verify':
        return this.#directory.verify(command.peer, command.verified ?? true);
      case 'set-filters':
        return this.#media.setFilters(command.filters);
      case 'set-source':
        return this.#media.setSource(parseSourceSpec(command.source));
      case 'set-video':
        return this.#media.setVideo({ resolution: command.resolution, fps: command.fps });
      case 'preview':
        this.#previewWanted = command.enabled;
        if (command.enabled) this.#media.start();
        else if (!this.#calls.call) await this.#media.stop();
        this.#emit({ event: 'media-settings', ...this.#media.view });
        return;
      case 'video':
        return this.#media.setEnabled(command.enabled);
      case 'video-sources':
        return this.#emit(videoSourcesEvent(this.#media.view.source));
      case 'snapshot':
        return this.#snapshot(command.peer);
      case 'keyframe':
        // Our own id: the self view (the top layer) lost a frame on its way to the page.
        if (command.peer === this.id) return this.#media.requestKeyframe(0);
        return this.#calls.requestKeyframe(command.peer);
      case 'filters':
        return this.#emit({ event: 'filters', filters: listFilters() });
      case 'members':
        this.#emit({ event: 'members', ...this.#calls.members() });
        for (const peer of this.#calls.raisedHands())
          this.#emit({ event: 'hand', peer, raised: true });
        return;
      case 'history': {
        const chat = this.#calls.chat();
        this.#emit(historyEvent(chat.id, chat.messages));
        return;
      }
      case 'export-chat':
      case 'export-chat-text': {
        const chat = this.#calls.chat();
        this.#emit(await runExportCommand(chat.id, chat.messages, command));
        return;
      }
      case 'mute':
      case 'set-audio-source':
      case 'record-audio':
        return this.audio.handle(command);
      case 'health':
        return this.#emit({ event: 'health', ...this.#health.report() });
      case 'quit':
        // The front end owns the process; it closes the session when it sees quit.
        return;
    }
  }

  async #rename(name: string): Promise<void> {
    this.#name = name;
    this.#emit({ event: 'name-changed', name });
    const parts = { server: this.#server, calls: this.#calls, discovery: this.#discovery };
    await renameNode({ ...this.#options, ...parts }, name);
  }

  #requireCall(): CallContent {
    const call = this.#calls.call;
    if (!call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    return call;
  }

  #chat(text: string): void {
    const message = this.#requireCall().sendChat(text);
    if (message) this.#emit({ event: 'chat', ...message });
  }

  async #snapshot(peer: string): Promise<void> {
    const own = peer === this.id;
    // Only a member whose video flows now; the decoder may hold frames of one who stopped.
    const flowing = own ? this.#media.latest : this.#calls.call?.latestFrame(peer);
    const shot = flowing && (await this.#snapshots.take(peer));
    const missing = own ? 'no local frame yet' : `no frame from ${peer} yet`;
    if (!shot) throw new CommandError('ERR_NO_FRAME', missing);
    this.#emit(snapshotEvent(peer, shot));
  }

  // ---- reports from the parts -----------------------------------------------------------

  /** What the calls report that needs more than passing on. */
  #watchCalls(): void {
    const calls = this.#calls;
    calls.on('accept-failed', (err) => this.#reportFailure('accept', err));
    calls.on('invite-timeout', ({ call, peer, name }) => {
      this.#error('ERR_INVITE_TIMEOUT', `${name} did not answer`, { peer, call });
    });
    calls.on('call-started', () => this.#media.start());
    calls.on('call-ended', (ended) => {
      this.#snapshots.clear(this.id);
      if (!this.#previewWanted) {
        this.#media.stop().catch((err: unknown) => {
          this.#log.warn('capture did not stop cleanly', { reason: errorText(err) });
        });
      }
      this.#emit({ event: 'call-ended', ...ended });
    });
    this.#media.followCalls(calls);
    calls.on('voice', (voice) => this.emit('remote-voice', voice));
    calls.on('frame', (frame) => {
      this.emit('remote-frame', frame);
      this.#snapshots.pushReceived(frame);
      if (this.#options.frameEvents) this.#emit(frameEvent(frame));
    });
  }

  /** A command (or the call agent accepting on its own) failed: say so as an error event. */
  #reportFailure(cmd: CommandName, err: unknown): void {
    if (this.#closed) return;
    if (isApiError(err)) {
      this.#error(err.code, err.message);
    } else {
      this.#log.error('command failed', { cmd, reason: errorText(err) });
      this.#error('ERR_INTERNAL', `${cmd} failed unexpectedly`);
    }
  }

  /** Passes on a part's event that is an API event already, under the same name. */
  #report<N extends SessionEventName>(name: N, body: EventBody<N>): void {
    // EventBody<N> is event N's own fields, so this is that event.
    this.#emit({ event: name, ...body } as SessionEvent);
  }

  #error(code: ApiErrorCode, message: string, extra: { peer?: string; call?: string } = {}): void {
    this.#emit({ event: 'error', code, message, ...extra });
  }

  #emit(event: SessionEvent): void {
    if (this.#closed && event.event !== 'call-ended') return;
    this.emit('event', event);
  }
}
