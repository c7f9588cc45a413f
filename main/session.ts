import type { IdentityKeys } from '../crypto/index.js';
import {
  KnownPeers,
  fingerprint,
  loadOrCreateIdentity,
  peerIdFromPublicKey,
  safetyCode,
  toBase64,
} from '../crypto/index.js';
import type { MemberView } from '../p2p/call.js';
import { Call } from '../p2p/call.js';
import type { Endpoint } from '../p2p/connection-pool.js';
import { ConnectionPool } from '../p2p/connection-pool.js';
import type { PeerAdvert } from '../p2p/discovery.js';
import { Discovery } from '../p2p/discovery.js';
import { MeshError, errorText } from '../p2p/errors.js';
import type { Logger } from '../p2p/logger.js';
import { PeerLink } from '../p2p/peer-link.js';
import type { SignalingConnection } from '../p2p/signaling-connection.js';
import type { MemberInfo, SignalingMessage } from '../p2p/signaling-messages.js';
import { SignalingServer } from '../p2p/signaling-server.js';
import { TypedEmitter } from '../p2p/typed-emitter.js';
import type {
  ApiErrorCode,
  Command,
  MemberEventView,
  PeerView,
  SessionEvent,
  TrustState,
} from './api.js';
import type { LocalMediaOptions } from './local-media.js';
import { LocalMedia } from './local-media.js';
import { MediaError } from './media/errors.js';
import { listFilters } from './media/filters.js';
import { parseSourceSpec } from './media/settings.js';
import type { EncodedFrame } from './media/video-capture.js';
import type { ReceivedFrame } from '../p2p/media-receiver.js';
import { ensureDataDir, ownerOnlyFile } from './owner-only-file.js';

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
  /** Report every received frame as a `frame` event (metadata only): bots and tests. */
  frameEvents?: boolean;
}

export interface SessionEvents {
  [key: string]: unknown[];
  event: [SessionEvent];
  /** Video for front ends that draw it (kept out of `event`: binary, 30 per second). */
  'remote-frame': [ReceivedFrame];
  'local-frame': [EncodedFrame];
}

interface IncomingInvite {
  call: string;
  from: string;
  connection: SignalingConnection;
  members: MemberInfo[];
}

interface OutgoingInvite {
  call: string;
  peer: string;
  connection: SignalingConnection;
  timer: NodeJS.Timeout;
}

interface ManualPeer {
  id: string;
  name: string;
  publicKey: Uint8Array;
  host: string;
  port: number;
  online: boolean;
  retry: NodeJS.Timeout | null;
}

interface MemberLink {
  connection: SignalingConnection;
  link: PeerLink | null;
  number: number | null;
  timer: NodeJS.Timeout;
}

class CommandError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The node: discovery, signaling, the current call and the typed API every front end
 * drives. Owns everything below it; close() cascades.
 */
export class Session extends TypedEmitter<SessionEvents> {
  readonly id: string;
  readonly name: string;
  readonly #options: SessionOptions;
  readonly #log: Logger;
  readonly #identity: IdentityKeys;
  readonly #knownPeers: KnownPeers;
  readonly #server: SignalingServer;
  readonly #pool: ConnectionPool;
  #discovery: Discovery | null = null;
  readonly #manual = new Map<string, ManualPeer>();
  readonly #incoming = new Map<string, IncomingInvite>();
  readonly #outgoing = new Map<string, OutgoingInvite>();
  readonly #memberLinks = new Map<string, MemberLink>();
  readonly #usedLinkNumbers = new WeakMap<SignalingConnection, Set<number>>();
  readonly #keyChangeWarned = new Set<string>();
  /** Peers first met in this run: still shown as "new" after trust-on-first-use saved them. */
  readonly #metThisRun = new Set<string>();
  #call: Call | null = null;
  #callAnnounced = false;
  #closed = false;
  readonly #media: LocalMedia;
  #statsTimer: NodeJS.Timeout | null = null;

  private constructor(options: SessionOptions, identity: IdentityKeys, knownPeers: KnownPeers) {
    super();
    this.#options = options;
    this.#log = options.logger;
    this.#identity = identity;
    this.#knownPeers = knownPeers;
    this.id = peerIdFromPublicKey(identity.publicKey);
    this.name = options.name;
    this.#server = new SignalingServer({
      identity,
      name: options.name,
      port: options.port,
      logger: options.logger,
    });
    this.#pool = new ConnectionPool({
      server: this.#server,
      logger: options.logger,
      inUse: (connection) => this.#connectionInUse(connection),
    });
    this.#pool.on('connection', (connection) => this.#adopt(connection));
    this.#media = new LocalMedia(options.media);
    this.#media.on('frame', (frame) => {
      this.#call?.sendFrame(frame);
      this.emit('local-frame', frame);
    });
    this.#media.on('error', (error) => this.#error(error.code, error.message));
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
    discovery.on('peer-up', (advert) => this.#onAdvertUp(advert));
    discovery.on('peer-down', (advert) => this.#onAdvertDown(advert));
    discovery.on('invalid-advert', (invalid) => {
      const known = invalid.id ? this.#knownPeers.get(invalid.id) : undefined;
      if (known && invalid.id) {
        this.#warnKeyChanged(
          invalid.id,
          known.name,
          invalid.id,
          `an advert for ${known.name} carries a key that does not match its id: ${invalid.reason}`,
        );
      }
    });
    discovery.start();
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
    this.#run(command).catch((err: unknown) => {
      if (this.#closed) return;
      if (err instanceof CommandError || err instanceof MeshError || err instanceof MediaError) {
        this.#error(err.code, err.message);
      } else {
        this.#log.error('command failed', { cmd: command.cmd, reason: errorText(err) });
        this.#error('ERR_INTERNAL', `${command.cmd} failed unexpectedly`);
      }
    });
  }

  /** Idempotent: leaves the call, says goodbye on mDNS, closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const leaving = this.#call ? this.#leaveCall('quit') : Promise.resolve();
    this.#closed = true;
    await leaving;
    for (const invite of this.#outgoing.values()) clearTimeout(invite.timer);
    for (const manual of this.#manual.values()) if (manual.retry) clearTimeout(manual.retry);
    await this.#media.close();
    this.#pool.close();
    this.#server.close();
    await this.#discovery?.close();
    this.removeAllListeners();
  }

  // ---- commands -------------------------------------------------------------------------

  async #run(command: Command): Promise<void> {
    switch (command.cmd) {
      case 'invite':
        return this.#invite(command.peer);
      case 'accept':
        return this.#accept(command.call);
      case 'decline':
        return this.#decline(command.call, command.reason ?? 'declined');
      case 'chat':
        return this.#chat(command.text);
      case 'leave':
        if (!this.#call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
        // The call-ended event is out already; the hang-ups finish on their own.
        void this.#leaveCall('left');
        return;
      case 'add-peer':
        return this.#addPeer(command.host, command.port);
      case 'peers':
        this.#emit({ event: 'peers', peers: this.#peerViews() });
        return;
      case 'trust':
        return this.#trust(command.peer);
      case 'verify':
        return this.#verify(command.peer, command.verified ?? true);
      case 'set-filters':
        this.#media.setFilters(command.filters);
        return;
      case 'set-source':
        this.#media.setSource(parseSourceSpec(command.source));
        return;
      case 'set-video':
        this.#media.setVideo({ resolution: command.resolution, fps: command.fps });
        return;
      case 'video':
        this.#media.setEnabled(command.enabled);
        this.#call?.announceVideo(command.enabled);
        return;
      case 'snapshot':
        return this.#snapshot(command.peer);
      case 'filters':
        this.#emit({ event: 'filters', filters: listFilters() });
        return;
      case 'quit':
        // The front end owns the process; it closes the session when it sees quit.
        return;
    }
  }

  async #invite(peerId: string): Promise<void> {
    if (peerId === this.id) throw new CommandError('ERR_UNKNOWN_PEER', 'cannot invite yourself');
    const view = this.#peerView(peerId);
    if (!view) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    if (view.trust === 'key-changed') {
      throw new CommandError(
        'ERR_KEY_CHANGED',
        `${view.name}'s key changed; compare safety codes and trust it before inviting`,
      );
    }
    if (this.#call?.hasMember(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already in the call`);
    }
    if (this.#outgoing.has(peerId)) {
      throw new CommandError('ERR_ALREADY_IN_CALL', `${view.name} is already invited`);
    }
    const call = this.#call ?? this.#openCall(undefined);
    const connection = await this.#pool.connect(peerId, this.#endpoints(peerId));
    if (this.#closed || this.#call !== call || call.closed) return;
    connection.enableKeepalive();
    const timer = setTimeout(() => {
      const invite = this.#outgoing.get(peerId);
      if (!invite || invite.call !== call.id) return;
      this.#outgoing.delete(peerId);
      invite.connection.send({ t: 'cancel', call: call.id });
      this.#error('ERR_INVITE_TIMEOUT', `${view.name} did not answer`, {
        peer: peerId,
        call: call.id,
      });
      this.#endCallIfEmpty('no answer');
    }, this.#options.inviteTimeoutMs ?? 60_000);
    this.#outgoing.set(peerId, { call: call.id, peer: peerId, connection, timer });
    connection.send({ t: 'invite', call: call.id, members: [] });
    this.#emit({ event: 'invite-sent', call: call.id, peer: peerId });
  }

  #accept(callId: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    if (this.#call) throw new CommandError('ERR_ALREADY_IN_CALL', 'leave the current call first');
    if (invite.connection.state !== 'open') {
      this.#incoming.delete(callId);
      throw new CommandError('ERR_CONNECTION_LOST', 'the inviter is gone');
    }
    this.#incoming.delete(callId);
    const peer = invite.connection.peer;
    if (!peer) return;
    const call = this.#openCall(callId);
    this.#callAnnounced = false;
    invite.connection.send({ t: 'accept', call: callId });
    this.#addMember(call, peer.id, peer.name, peer.publicKey, invite.connection);
  }

  #decline(callId: string, reason: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    this.#incoming.delete(callId);
    invite.connection.send({ t: 'decline', call: callId, reason });
  }

  #chat(text: string): void {
    if (!this.#call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    const message = this.#call.sendChat(text);
    this.#emit({ event: 'chat', ...message });
  }

  #snapshot(peerId: string): void {
    if (peerId === this.id) {
      const own = this.#media.latest;
      if (!own) throw new CommandError('ERR_NO_FRAME', 'no local frame yet');
      this.#emit({
        event: 'snapshot',
        peer: peerId,
        frame: own.frameNumber,
        width: own.width,
        height: own.height,
        captureTs: own.captureTs,
        jpeg: Buffer.from(own.jpeg).toString('base64'),
      });
      return;
    }
    const frame = this.#call?.latestFrame(peerId);
    if (!frame) throw new CommandError('ERR_NO_FRAME', `no frame from ${peerId} yet`);
    this.#emit({
      event: 'snapshot',
      peer: peerId,
      frame: frame.meta.frameNumber,
      width: frame.meta.width,
      height: frame.meta.height,
      captureTs: frame.meta.captureTs,
      jpeg: Buffer.from(frame.jpeg).toString('base64'),
    });
  }

  async #addPeer(host: string, port: number): Promise<void> {
    const connection = await this.#pool.dialAddress({ host, port });
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    if (peer.id === this.id) {
      connection.close(new MeshError('ERR_CLOSED', 'dialed ourselves'));
      throw new CommandError('ERR_UNKNOWN_PEER', 'that address is this node');
    }
    connection.enableKeepalive();
    const wasVisible = this.#peerView(peer.id) !== null;
    const existing = this.#manual.get(peer.id);
    if (existing?.retry) clearTimeout(existing.retry);
    this.#manual.set(peer.id, {
      id: peer.id,
      name: peer.name,
      publicKey: peer.publicKey,
      host,
      port,
      online: true,
      retry: null,
    });
    this.#watchManual(peer.id, connection);
    const view = this.#peerView(peer.id);
    if (view && !wasVisible) this.#emit({ event: 'peer-up', ...view });
  }

  async #trust(peerId: string): Promise<void> {
    const view = this.#peerView(peerId);
    const key = this.#publicKeyOf(peerId);
    if (!view || !key) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    await this.#knownPeers.remember(view.name, key);
    this.#keyChangeWarned.delete(peerId);
    this.#emit({
      event: 'trust-changed',
      peer: peerId,
      trust: this.#trustOf(peerId, view.name, key),
    });
  }

  async #verify(peerId: string, verified: boolean): Promise<void> {
    const view = this.#peerView(peerId);
    const key = this.#publicKeyOf(peerId);
    if (!view || !key) throw new CommandError('ERR_UNKNOWN_PEER', `no peer ${peerId} nearby`);
    if (view.trust === 'key-changed') {
      throw new CommandError('ERR_KEY_CHANGED', 'trust the new key before marking it verified');
    }
    if (!this.#knownPeers.get(peerId)) await this.#knownPeers.remember(view.name, key);
    await this.#knownPeers.markVerified(peerId, verified);
    this.#emit({
      event: 'trust-changed',
      peer: peerId,
      trust: this.#trustOf(peerId, view.name, key),
    });
  }

  // ---- the call -------------------------------------------------------------------------

  #openCall(id: string | undefined): Call {
    const call = new Call({
      ...(id ? { id } : {}),
      localId: this.id,
      localName: this.name,
      logger: this.#log,
    });
    this.#call = call;
    this.#callAnnounced = id === undefined;
    if (this.#callAnnounced) this.#emit({ event: 'call-joined', call: call.id, members: [] });
    call.on('member-joined', (member) => {
      const view = this.#memberView(member);
      if (!this.#callAnnounced) {
        this.#callAnnounced = true;
        this.#emit({
          event: 'call-joined',
          call: call.id,
          members: call.members().map((m) => this.#memberView(m)),
        });
      } else {
        this.#emit({ event: 'member-joined', call: call.id, ...view });
      }
    });
    call.on('member-left', (member, reason, error) => {
      this.#dropMemberLink(member.id);
      this.#emit({
        event: 'member-left',
        call: call.id,
        peer: member.id,
        name: member.name,
        reason: error && reason !== 'left' ? `${reason}: ${error.message}` : reason,
      });
    });
    call.on('chat', (message) => this.#emit({ event: 'chat', ...message }));
    call.on('empty', () => this.#endCallIfEmpty('everyone left'));
    call.on('encode-target', (target) => this.#media.setEncodeTarget(target.quality, target.scale));
    call.on('video-state', ({ peer, enabled }) =>
      this.#emit({ event: 'video-state', peer, enabled }),
    );
    call.on('frame', (frame) => {
      this.emit('remote-frame', frame);
      if (!this.#options.frameEvents) return;
      this.#emit({
        event: 'frame',
        peer: frame.from,
        frame: frame.meta.frameNumber,
        width: frame.meta.width,
        height: frame.meta.height,
        bytes: frame.jpeg.length,
        latencyMs: frame.latencyMs,
      });
    });
    this.#media.start();
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = setInterval(() => this.#emitStats(), 1000);
    return call;
  }

  #addMember(
    call: Call,
    peerId: string,
    name: string,
    publicKey: Uint8Array,
    connection: SignalingConnection,
  ): void {
    call.addMember({ id: peerId, name, publicKey });
    connection.enableKeepalive();
    const timer = setTimeout(() => {
      const entry = this.#memberLinks.get(peerId);
      if (entry && entry.link?.state !== 'open') {
        call.removeMember(
          peerId,
          'failed',
          new MeshError('ERR_LINK_FAILED', 'link did not come up'),
        );
      }
    }, this.#options.linkTimeoutMs ?? 15_000);
    this.#memberLinks.set(peerId, { connection, link: null, number: null, timer });
    // The lower id offers; the other side creates its link when the offer arrives.
    if (this.id < peerId) {
      const number = this.#claimLinkNumber(connection, null);
      if (number !== null) this.#startLink(call, peerId, connection, number, true);
    }
  }

  #startLink(
    call: Call,
    peerId: string,
    connection: SignalingConnection,
    number: number,
    offerer: boolean,
  ): PeerLink | null {
    const session = connection.sessionKeys;
    const entry = this.#memberLinks.get(peerId);
    if (!session || !entry) return null;
    const link = new PeerLink({
      localId: this.id,
      peerId,
      session,
      offerer,
      linkNumber: number,
      logger: this.#log,
    });
    entry.link = link;
    entry.number = number;
    link.on('signal', (signal) => connection.send({ ...signal, call: call.id, link: number }));
    call.attachLink(peerId, link);
    link.start();
    return link;
  }

  #dropMemberLink(peerId: string): void {
    const entry = this.#memberLinks.get(peerId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#memberLinks.delete(peerId);
  }

  /** Resolves when every member got our bye (or the grace ran out). */
  #leaveCall(reason: string): Promise<void> {
    const call = this.#call;
    if (!call) return Promise.resolve();
    for (const [peerId, invite] of this.#outgoing) {
      if (invite.call !== call.id) continue;
      clearTimeout(invite.timer);
      invite.connection.send({ t: 'cancel', call: call.id });
      this.#outgoing.delete(peerId);
    }
    for (const [peerId, entry] of this.#memberLinks) {
      entry.connection.send({ t: 'bye', call: call.id });
      this.#dropMemberLink(peerId);
    }
    this.#call = null;
    const hungUp = call.close();
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = null;
    this.#media.stop().catch((err: unknown) => {
      this.#log.warn('capture did not stop cleanly', { reason: errorText(err) });
    });
    this.#emit({ event: 'call-ended', call: call.id, reason });
    return hungUp;
  }

  #endCallIfEmpty(reason: string): void {
    const call = this.#call;
    if (!call || call.members().length > 0) return;
    if ([...this.#outgoing.values()].some((invite) => invite.call === call.id)) return;
    void this.#leaveCall(reason);
  }

  // ---- signaling ------------------------------------------------------------------------

  #adopt(connection: SignalingConnection): void {
    const peer = connection.peer;
    if (!peer) return;
    const status = this.#knownPeers.check(peer.name, peer.publicKey);
    if (status.status === 'key-changed') {
      this.#warnKeyChanged(
        peer.id,
        peer.name,
        status.previous.id,
        `${peer.name} connected with a key that differs from the one remembered for that name`,
      );
    } else if (status.status === 'new') {
      this.#metThisRun.add(peer.id);
      // Trust on first use: remember the key; the user can still compare safety codes.
      this.#knownPeers.remember(peer.name, peer.publicKey).catch((err: unknown) => {
        this.#log.warn('could not save known peers', { reason: errorText(err) });
      });
    }
    connection.on('message', (message) => {
      try {
        this.#onSignal(connection, message);
      } catch (err) {
        this.#log.error('signaling handler failed', { peer: peer.id, reason: errorText(err) });
      }
    });
    connection.on('close', (error) => this.#onConnectionClosed(connection, error));
  }

  #onSignal(connection: SignalingConnection, message: SignalingMessage): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    switch (message.t) {
      case 'invite':
        this.#onInvite(connection, message.call, message.members);
        return;
      case 'accept': {
        const invite = this.#outgoing.get(peer.id);
        const call = this.#call;
        if (!invite || invite.call !== message.call || !call || call.id !== message.call) {
          connection.send({ t: 'bye', call: message.call });
          return;
        }
        clearTimeout(invite.timer);
        this.#outgoing.delete(peer.id);
        this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
        return;
      }
      case 'decline': {
        const invite = this.#outgoing.get(peer.id);
        if (!invite || invite.call !== message.call) return;
        clearTimeout(invite.timer);
        this.#outgoing.delete(peer.id);
        this.#emit({
          event: 'invite-declined',
          call: message.call,
          peer: peer.id,
          reason: message.reason,
        });
        this.#endCallIfEmpty('declined');
        return;
      }
      case 'cancel': {
        const invite = this.#incoming.get(message.call);
        if (!invite || invite.from !== peer.id) return;
        this.#incoming.delete(message.call);
        this.#emit({ event: 'invite-cancelled', call: message.call, from: peer.id });
        return;
      }
      case 'offer':
        this.#onOffer(connection, message.call, message.link, message.sdp);
        return;
      case 'answer':
      case 'candidate': {
        const entry = this.#memberLinks.get(peer.id);
        if (!entry?.link || entry.number !== message.link || this.#call?.id !== message.call)
          return;
        entry.link.handleSignal(
          message.t === 'answer'
            ? { t: 'answer', sdp: message.sdp }
            : { t: 'candidate', candidate: message.candidate, mid: message.mid },
        );
        return;
      }
      case 'bye': {
        const invite = this.#incoming.get(message.call);
        if (invite && invite.from === peer.id) {
          this.#incoming.delete(message.call);
          this.#emit({ event: 'invite-cancelled', call: message.call, from: peer.id });
        }
        if (this.#call?.id === message.call) {
          this.#call.noteBye(peer.id);
          this.#call.removeMember(peer.id, 'left');
        }
        return;
      }
      case 'join':
      case 'hello':
      case 'ping':
      case 'pong':
        return;
    }
  }

  #onInvite(connection: SignalingConnection, callId: string, members: MemberInfo[]): void {
    const peer = connection.peer;
    if (!peer) return;
    if (this.#call) {
      connection.send({ t: 'decline', call: callId, reason: 'busy' });
      return;
    }
    if (this.#incoming.has(callId)) return;
    connection.enableKeepalive();
    this.#incoming.set(callId, { call: callId, from: peer.id, connection, members });
    const trust = this.#trustOf(peer.id, peer.name, peer.publicKey);
    this.#emit({
      event: 'invite',
      call: callId,
      from: peer.id,
      name: peer.name,
      safetyCode: safetyCode(this.#identity.publicKey, peer.publicKey),
      trust,
    });
    if (this.#options.autoAccept) {
      if (trust === 'key-changed') {
        this.#log.warn('not auto-accepting an invite from a peer whose key changed', {
          peer: peer.id,
        });
        return;
      }
      this.handle({ cmd: 'accept', call: callId });
    }
  }

  #onOffer(connection: SignalingConnection, callId: string, number: number, sdp: string): void {
    const peer = connection.peer;
    const call = this.#call;
    const entry = peer ? this.#memberLinks.get(peer.id) : undefined;
    if (!peer || !call || call.id !== callId || !entry || entry.link || this.id < peer.id) {
      this.#log.warn('unexpected offer ignored', { peer: peer?.id ?? null });
      return;
    }
    if (this.#claimLinkNumber(connection, number) === null) {
      this.#log.warn('offer reused a link number; ignored', { peer: peer.id, link: number });
      return;
    }
    const link = this.#startLink(call, peer.id, connection, number, false);
    link?.handleSignal({ t: 'offer', sdp });
  }

  /** Link keys derive from the connection's session and this number: never use one twice. */
  #claimLinkNumber(connection: SignalingConnection, wanted: number | null): number | null {
    const used = this.#usedLinkNumbers.get(connection) ?? new Set<number>();
    this.#usedLinkNumbers.set(connection, used);
    const number = wanted ?? used.size;
    if (used.has(number)) return null;
    used.add(number);
    return number;
  }

  #onConnectionClosed(connection: SignalingConnection, error: MeshError | null): void {
    const peer = connection.peer;
    if (this.#closed || !peer) return;
    for (const [callId, invite] of this.#incoming) {
      if (invite.connection !== connection) continue;
      this.#incoming.delete(callId);
      this.#emit({ event: 'invite-cancelled', call: callId, from: peer.id });
    }
    const outgoing = this.#outgoing.get(peer.id);
    if (outgoing?.connection === connection) {
      clearTimeout(outgoing.timer);
      this.#outgoing.delete(peer.id);
      this.#emit({
        event: 'invite-declined',
        call: outgoing.call,
        peer: peer.id,
        reason: `unreachable: ${error?.message ?? 'connection closed'}`,
      });
      this.#endCallIfEmpty('no answer');
    }
    const entry = this.#memberLinks.get(peer.id);
    if (entry?.connection === connection && entry.link?.state !== 'open') {
      this.#call?.removeMember(peer.id, 'lost', error);
    }
  }

  #connectionInUse(connection: SignalingConnection): boolean {
    const id = connection.peer?.id;
    if (!id) return false;
    if (this.#manual.get(id)?.online) return true;
    if (this.#memberLinks.get(id)?.connection === connection) return true;
    if (this.#outgoing.get(id)?.connection === connection) return true;
    return [...this.#incoming.values()].some((invite) => invite.connection === connection);
  }

  // ---- peers ----------------------------------------------------------------------------

  #watchManual(peerId: string, connection: SignalingConnection): void {
    connection.on('close', () => {
      const manual = this.#manual.get(peerId);
      if (this.#closed || !manual?.online) return;
      manual.online = false;
      if (!this.#discovery?.endpoints(peerId).length) {
        this.#emit({ event: 'peer-down', peer: peerId, name: manual.name });
      }
      this.#retryManual(peerId, 1000);
    });
  }

  #retryManual(peerId: string, delayMs: number): void {
    const manual = this.#manual.get(peerId);
    if (!manual || this.#closed) return;
    manual.retry = setTimeout(() => {
      manual.retry = null;
      this.#pool
        .connect(peerId, [{ host: manual.host, port: manual.port, publicKey: manual.publicKey }])
        .then((connection) => {
          if (this.#closed) return;
          connection.enableKeepalive();
          const wasVisible = this.#peerView(peerId) !== null;
          manual.online = true;
          this.#watchManual(peerId, connection);
          const view = this.#peerView(peerId);
          if (view && !wasVisible) this.#emit({ event: 'peer-up', ...view });
        })
        .catch(() => this.#retryManual(peerId, Math.min(delayMs * 2, 30_000)));
    }, delayMs);
  }

  #onAdvertUp(advert: PeerAdvert): void {
    const view = this.#peerView(advert.id);
    if (!view) return;
    if (view.trust === 'key-changed') {
      const previous = this.#knownPeers.check(advert.name, advert.publicKey);
      const previousId = previous.status === 'key-changed' ? previous.previous.id : advert.id;
      this.#warnKeyChanged(
        advert.id,
        advert.name,
        previousId,
        `${advert.name} is back with a different key`,
      );
    }
    if (this.#manual.get(advert.id)?.online) return;
    this.#emit({ event: 'peer-up', ...view });
  }

  #onAdvertDown(advert: PeerAdvert): void {
    if (this.#manual.get(advert.id)?.online) return;
    this.#emit({ event: 'peer-down', peer: advert.id, name: advert.name });
  }

  #endpoints(peerId: string): Endpoint[] {
    const endpoints: Endpoint[] = (this.#discovery?.endpoints(peerId) ?? []).map((advert) => ({
      host: advert.host,
      port: advert.port,
      publicKey: advert.publicKey,
    }));
    const manual = this.#manual.get(peerId);
    if (manual)
      endpoints.push({ host: manual.host, port: manual.port, publicKey: manual.publicKey });
    return endpoints;
  }

  #publicKeyOf(peerId: string): Uint8Array | null {
    return (
      this.#discovery?.endpoints(peerId)[0]?.publicKey ??
      this.#manual.get(peerId)?.publicKey ??
      null
    );
  }

  #peerView(peerId: string): PeerView | null {
    const advert = this.#discovery?.endpoints(peerId)[0];
    const manual = this.#manual.get(peerId);
    const source = advert ? 'mdns' : manual?.online ? 'manual' : null;
    const base = advert ?? (manual?.online ? manual : null);
    if (!source || !base) return null;
    return {
      peer: peerId,
      name: base.name,
      host: base.host,
      port: base.port,
      safetyCode: safetyCode(this.#identity.publicKey, base.publicKey),
      fingerprint: fingerprint(base.publicKey),
      trust: this.#trustOf(peerId, base.name, base.publicKey),
      source,
    };
  }

  #peerViews(): PeerView[] {
    const ids = new Set<string>([
      ...(this.#discovery?.peers() ?? []).map((advert) => advert.id),
      ...this.#manual.keys(),
    ]);
    return [...ids].map((id) => this.#peerView(id)).filter((view): view is PeerView => !!view);
  }

  #trustOf(peerId: string, name: string, publicKey: Uint8Array): TrustState {
    const status = this.#knownPeers.check(name, publicKey);
    if (status.status === 'key-changed') return 'key-changed';
    if (status.status === 'new') return 'new';
    if (this.#knownPeers.get(peerId)?.verified) return 'verified';
    return this.#metThisRun.has(peerId) ? 'new' : 'known';
  }

  #memberView(member: MemberView): MemberEventView {
    const key = this.#call ? this.#publicKeyOfMember(member.id) : null;
    return {
      peer: member.id,
      name: member.name,
      state: member.state,
      safetyCode: key ? safetyCode(this.#identity.publicKey, key) : '',
      verified: this.#knownPeers.get(member.id)?.verified ?? false,
    };
  }

  #publicKeyOfMember(peerId: string): Uint8Array | null {
    return this.#memberLinks.get(peerId)?.connection.peer?.publicKey ?? this.#publicKeyOf(peerId);
  }

  #warnKeyChanged(peerId: string, name: string, previousPeer: string, message: string): void {
    if (this.#keyChangeWarned.has(peerId)) return;
    this.#keyChangeWarned.add(peerId);
    this.#log.warn('key changed', { peer: peerId, previous: previousPeer });
    this.#emit({ event: 'key-changed', peer: peerId, name, previousPeer, message });
  }

  #emitStats(): void {
    const call = this.#call;
    if (!call) return;
    const { sending, members } = call.mediaStats();
    const round = (value: number): number => Math.round(value * 10) / 10;
    const roundOrNull = (value: number | null): number | null =>
      value === null ? null : round(value);
    this.#emit({
      event: 'stats',
      call: call.id,
      sending: {
        fps: round(sending.fps),
        kbps: round(sending.kbps),
        quality: sending.quality,
        scale: sending.scale,
        width: sending.width,
        height: sending.height,
        skipped: sending.skipped,
      },
      members: members.map((member) => ({
        peer: member.peer,
        fps: round(member.fps),
        kbps: round(member.kbps),
        latencyP50Ms: roundOrNull(member.latencyP50Ms),
        latencyP95Ms: roundOrNull(member.latencyP95Ms),
        received: member.received,
        lost: member.lost,
        rejected: member.rejected,
        width: member.width,
        height: member.height,
        rttMs: member.rttMs,
      })),
    });
  }

  #error(code: ApiErrorCode, message: string, extra: { peer?: string; call?: string } = {}): void {
    this.#emit({ event: 'error', code, message, ...extra });
  }

  #emit(event: SessionEvent): void {
    if (this.#closed && event.event !== 'call-ended') return;
    this.emit('event', event);
  }
}
