import type { IdentityKeys } from '../crypto/index.js';
import {
  KnownPeers,
  fingerprint,
  fromBase64,
  loadOrCreateIdentity,
  peerIdFromPublicKey,
  safetyCode,
  signStatement,
  toBase64,
  verifyStatement,
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
  MediaSettingsView,
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
import { exportChat } from './chat-export.js';
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
  /** Who invited us (first inviter); more members may invite us to the same call at once. */
  from: string;
  connection: SignalingConnection;
  /** Every member that invited us to this call, with its connection and ticket. */
  inviters: Map<string, { connection: SignalingConnection; ticket: string }>;
  members: MemberInfo[];
}

/** Our proof of being let in: a member's signature over (call, our key). */
interface Admission {
  inviter: string;
  ticket: string;
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

/** A replacement link that is not up in this long is tried again (over a fresh connection). */
const RELINK_OPEN_TIMEOUT_MS = 2000;

/** A member's signature over (call, joiner key); false for anything malformed or forged. */
function ticketValid(
  inviterKey: Uint8Array,
  callId: string,
  joinerKey: Uint8Array,
  ticket: string,
): boolean {
  try {
    return verifyStatement(
      inviterKey,
      'join-ticket',
      [callId, toBase64(joinerKey)],
      fromBase64(ticket),
    );
  } catch {
    return false;
  }
}

function isRefused(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
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
  /** Invites being sent (before the connection is up), to spot two peers inviting each other. */
  readonly #inviting = new Map<string, string>();
  /** Members for which a re-link attempt is under way (one at a time per member). */
  readonly #relinking = new Set<string>();
  /** How we got into the current call, shown to members we join later. */
  #admission: Admission | null = null;
  #closed = false;
  readonly #media: LocalMedia;
  /** A front end shows the self view outside calls: keep the camera on after a call. */
  #previewWanted = false;
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
      case 'preview':
        this.#previewWanted = command.enabled;
        if (command.enabled) this.#media.start();
        else if (!this.#call) await this.#media.stop();
        this.#emit({ event: 'media-settings', ...this.#media.view });
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
      case 'members': {
        const call = this.#call;
        this.#emit({
          event: 'members',
          call: call?.id ?? null,
          members: call ? call.members().map((member) => this.#memberView(member)) : [],
        });
        return;
      }
      case 'history': {
        const call = this.#requireCall();
        this.#emit({
          event: 'history',
          call: call.id,
          messages: call.history().map(({ id, from, name, ts, clock, text }) => ({
            id,
            from,
            name,
            ts,
            clock,
            text,
          })),
        });
        return;
      }
      case 'export-chat': {
        const call = this.#requireCall();
        const format =
          command.format ?? (/\.(md|markdown)$/i.test(command.path) ? 'markdown' : 'text');
        const path = await exportChat(call.id, call.history(), command.path, format).catch(
          (err: unknown) => {
            throw new CommandError(
              'ERR_EXPORT_FAILED',
              `could not write ${command.path}: ${errorText(err)}`,
            );
          },
        );
        this.#emit({
          event: 'chat-exported',
          call: call.id,
          path,
          messages: call.history().length,
        });
        return;
      }
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
    this.#inviting.set(peerId, call.id);
    let connection: SignalingConnection;
    try {
      connection = await this.#pool.connect(peerId, this.#endpoints(peerId));
    } catch (err) {
      this.#inviting.delete(peerId);
      this.#endCallIfEmpty('no answer');
      throw err;
    }
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
    const inviteeKey = connection.peer?.publicKey;
    if (!inviteeKey) return;
    connection.send({
      t: 'invite',
      call: call.id,
      members: this.#memberInfos(call),
      ticket: this.#ticketFor(call.id, inviteeKey),
    });
    this.#emit({ event: 'invite-sent', call: call.id, peer: peerId });
  }

  #accept(callId: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    if (this.#call) throw new CommandError('ERR_ALREADY_IN_CALL', 'leave the current call first');
    const open = [...invite.inviters.entries()].filter(([, v]) => v.connection.state === 'open');
    if (open.length === 0) {
      this.#incoming.delete(callId);
      throw new CommandError('ERR_CONNECTION_LOST', 'the inviter is gone');
    }
    this.#incoming.delete(callId);
    const call = this.#openCall(callId);
    this.#callAnnounced = false;
    const [firstInviter, first] = open[0] ?? [];
    if (firstInviter && first) this.#admission = { inviter: firstInviter, ticket: first.ticket };
    // Every member that invited us gets an accept; every other member a join.
    for (const [, { connection }] of open) {
      const peer = connection.peer;
      if (!peer) continue;
      connection.send({ t: 'accept', call: callId });
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
    }
    for (const member of invite.members) {
      if (member.id === this.id || call.hasMember(member.id)) continue;
      this.#joinMember(call, member);
    }
  }

  /** Links us with a member we have not talked to yet, showing our ticket. */
  #joinMember(call: Call, member: MemberInfo): void {
    const admission = this.#admission;
    if (!admission || call.hasMember(member.id) || member.id === this.id) return;
    let publicKey: Uint8Array;
    try {
      publicKey = fromBase64(member.publicKey);
    } catch {
      return;
    }
    if (peerIdFromPublicKey(publicKey) !== member.id) return;
    call.addMember({ id: member.id, name: member.name, publicKey });
    const endpoints = this.#endpoints(member.id);
    if (member.host) endpoints.push({ host: member.host, port: member.port, publicKey });
    this.#pool
      .connect(member.id, endpoints)
      .then((connection) => {
        if (this.#call !== call || call.closed || !call.hasMember(member.id)) return;
        connection.send({ t: 'join', call: call.id, ...admission });
        this.#addMember(call, member.id, member.name, publicKey, connection);
      })
      .catch((err: unknown) => {
        this.#log.warn('could not reach a member to join', {
          peer: member.id,
          reason: errorText(err),
        });
        call.removeMember(member.id, 'failed', err instanceof MeshError ? err : null);
      });
  }

  #decline(callId: string, reason: string): void {
    const invite = this.#incoming.get(callId);
    if (!invite)
      throw new CommandError('ERR_NO_SUCH_INVITE', `no pending invite for call ${callId}`);
    this.#incoming.delete(callId);
    invite.connection.send({ t: 'decline', call: callId, reason });
  }

  #requireCall(): Call {
    if (!this.#call) throw new CommandError('ERR_NOT_IN_CALL', 'not in a call');
    return this.#call;
  }

  #chat(text: string): void {
    const message = this.#requireCall().sendChat(text);
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
    const call: Call = new Call({
      ...(id ? { id } : {}),
      local: {
        id: this.id,
        name: this.name,
        publicKey: this.#identity.publicKey,
        sign: (fields) => signStatement(this.#identity, 'chat', fields),
      },
      logger: this.#log,
      describeSelf: () => ({
        id: this.id,
        name: this.name,
        publicKey: toBase64(this.#identity.publicKey),
        host: '',
        port: this.#server.port,
      }),
      describeMember: (memberId): MemberInfo | null => this.#memberInfo(call, memberId),
    });
    this.#call = call;
    this.#callAnnounced = id === undefined;
    // The call's creator vouches for itself; members it meets later check this like any ticket.
    this.#admission = {
      inviter: this.id,
      ticket: this.#ticketFor(call.id, this.#identity.publicKey),
    };
    if (this.#callAnnounced) this.#emit({ event: 'call-joined', call: call.id, members: [] });
    call.on('member-state', (member) => {
      this.#emit({ event: 'member-state', call: call.id, ...this.#memberView(member) });
    });
    call.on('link-lost', (peerId) => this.#relink(call, peerId));
    call.on('roster', ({ members }) => {
      for (const member of members) {
        if (member.id === this.id || call.hasMember(member.id) || call.hasLeft(member.id)) continue;
        this.#joinMember(call, member);
      }
    });
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

  /** Idempotent: a member already being linked keeps its link. */
  #addMember(
    call: Call,
    peerId: string,
    name: string,
    publicKey: Uint8Array,
    connection: SignalingConnection,
  ): void {
    call.addMember({ id: peerId, name, publicKey });
    connection.enableKeepalive();
    this.#settleOutgoing(peerId, call.id);
    const existing = this.#memberLinks.get(peerId);
    if (existing) {
      if (existing.connection.state !== 'open') existing.connection = connection;
      return;
    }
    const timer = setTimeout(() => {
      if (call.member(peerId)?.state !== 'connecting') return;
      call.removeMember(peerId, 'failed', new MeshError('ERR_LINK_FAILED', 'link did not come up'));
    }, this.#options.linkTimeoutMs ?? 15_000);
    this.#memberLinks.set(peerId, { connection, link: null, number: null, timer });
    // The lower id offers; the other side creates its link when the offer arrives.
    if (this.id < peerId) this.#offerLink(call, peerId, connection);
  }

  #offerLink(call: Call, peerId: string, connection: SignalingConnection): void {
    const number = this.#claimLinkNumber(connection, null);
    if (number !== null) this.#startLink(call, peerId, connection, number, true);
  }

  /**
   * A member's link dropped or stalled: the offering side makes a new one, over a fresh
   * signaling connection (the old one may be stuck in TCP back-off after an outage), and
   * keeps trying every second until the call has a working link again or gives the
   * member up. The answering side waits for the offer.
   */
  #relink(call: Call, peerId: string, attempt = 0): void {
    if (this.id > peerId || this.#relinking.has(peerId)) return;
    this.#relinking.add(peerId);
    const delay = attempt === 0 ? 0 : 1000;
    setTimeout(() => {
      void this.#relinkAttempt(call, peerId)
        .then((started) => {
          this.#relinking.delete(peerId);
          // A started link reports back through the call when it opens or fails.
          if (!started && this.#call === call && call.needsLink(peerId)) {
            this.#relink(call, peerId, attempt + 1);
          }
        })
        .catch(() => this.#relinking.delete(peerId));
    }, delay);
  }

  async #relinkAttempt(call: Call, peerId: string): Promise<boolean> {
    if (this.#closed || this.#call !== call || !call.needsLink(peerId)) return true;
    for (const endpoint of this.#memberEndpoints(call, peerId)) {
      try {
        const connection = await this.#pool.dialAddress(endpoint, 1000);
        const entry = this.#memberLinks.get(peerId);
        if (this.#call !== call || !entry || !call.needsLink(peerId)) return true;
        connection.enableKeepalive();
        entry.connection = connection;
        const number = this.#claimLinkNumber(connection, null);
        if (number === null) return false;
        this.#startLink(call, peerId, connection, number, true, RELINK_OPEN_TIMEOUT_MS);
        return true;
      } catch {
        // Try the next address; the caller schedules another round.
      }
    }
    return false;
  }

  /** Where a member can be reached: mDNS, a manual address, or where it last came from. */
  #memberEndpoints(call: Call, peerId: string): Endpoint[] {
    const endpoints = this.#endpoints(peerId);
    const last = this.#memberLinks.get(peerId)?.connection.peer;
    const publicKey = call.publicKeyOf(peerId) ?? undefined;
    if (last && publicKey) endpoints.push({ host: last.address, port: last.port, publicKey });
    return endpoints;
  }

  /** An answered invite (accept, or the invitee joining through someone else). */
  #settleOutgoing(peerId: string, callId: string): void {
    const invite = this.#outgoing.get(peerId);
    if (!invite || invite.call !== callId) return;
    clearTimeout(invite.timer);
    this.#outgoing.delete(peerId);
  }

  #startLink(
    call: Call,
    peerId: string,
    connection: SignalingConnection,
    number: number,
    offerer: boolean,
    openTimeoutMs?: number,
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
      ...(openTimeoutMs ? { openTimeoutMs } : {}),
    });
    entry.link = link;
    entry.number = number;
    this.#log.debug('link started', { peer: peerId, link: number, offerer });
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
    this.#admission = null;
    this.#inviting.clear();
    const hungUp = call.close();
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = null;
    if (!this.#previewWanted) {
      this.#media.stop().catch((err: unknown) => {
        this.#log.warn('capture did not stop cleanly', { reason: errorText(err) });
      });
    }
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
        this.#onInvite(connection, message.call, message.members, message.ticket);
        return;
      case 'accept': {
        const invite = this.#outgoing.get(peer.id);
        const call = this.#call;
        const member = call?.hasMember(peer.id) === true;
        if (!call || call.id !== message.call || (!member && invite?.call !== message.call)) {
          connection.send({ t: 'bye', call: message.call });
          return;
        }
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
        this.#onJoin(connection, message.call, message.inviter, message.ticket);
        return;
      case 'hello':
      case 'ping':
      case 'pong':
        return;
    }
  }

  #onInvite(
    connection: SignalingConnection,
    callId: string,
    members: MemberInfo[],
    ticket: string,
  ): void {
    const peer = connection.peer;
    if (!peer) return;
    const call = this.#call;
    if (call?.id === callId) {
      // Two members invited us to the call we are already in: say yes to this one too.
      connection.send({ t: 'accept', call: callId });
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
      return;
    }
    if (call) {
      const crossing = call.members().length === 0 && this.#inviting.get(peer.id) === call.id;
      if (!crossing) {
        connection.send({ t: 'decline', call: callId, reason: 'busy' });
        return;
      }
      // We invited each other at the same moment: both sides keep the call with the lower
      // id, so there is one call, not two. The other side does the mirror image.
      if (callId > call.id) return;
      void this.#leaveCall('merged');
      this.#storeInvite(connection, callId, members, ticket);
      this.handle({ cmd: 'accept', call: callId });
      return;
    }
    const existing = this.#incoming.get(callId);
    if (existing) {
      existing.inviters.set(peer.id, { connection, ticket });
      return;
    }
    this.#storeInvite(connection, callId, members, ticket);
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

  #storeInvite(
    connection: SignalingConnection,
    callId: string,
    members: MemberInfo[],
    ticket: string,
  ): void {
    const peer = connection.peer;
    if (!peer) return;
    connection.enableKeepalive();
    this.#incoming.set(callId, {
      call: callId,
      from: peer.id,
      connection,
      inviters: new Map([[peer.id, { connection, ticket }]]),
      members,
    });
  }

  /** A peer we did not invite wants in: it must show a ticket signed by a member. */
  #onJoin(connection: SignalingConnection, callId: string, inviter: string, ticket: string): void {
    const peer = connection.peer;
    const call = this.#call;
    if (!peer) return;
    if (!call || call.id !== callId) {
      connection.send({ t: 'bye', call: callId });
      return;
    }
    if (call.hasMember(peer.id)) {
      this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
      return;
    }
    const inviterKey =
      inviter === this.id
        ? this.#identity.publicKey
        : call.hasMember(inviter)
          ? call.publicKeyOf(inviter)
          : null;
    const valid = inviterKey !== null && ticketValid(inviterKey, callId, peer.publicKey, ticket);
    if (!valid) {
      this.#log.warn('join refused: no valid ticket from a member', { peer: peer.id, inviter });
      connection.send({ t: 'bye', call: callId });
      return;
    }
    this.#addMember(call, peer.id, peer.name, peer.publicKey, connection);
  }

  /** A member's signature letting `inviteeKey` into `callId`, checked by the others. */
  #ticketFor(callId: string, inviteeKey: Uint8Array): string {
    return toBase64(signStatement(this.#identity, 'join-ticket', [callId, toBase64(inviteeKey)]));
  }

  #onOffer(connection: SignalingConnection, callId: string, number: number, sdp: string): void {
    const peer = connection.peer;
    const call = this.#call;
    const entry = peer ? this.#memberLinks.get(peer.id) : undefined;
    // A fresh offer from a member (first link, or a new one after a drop) replaces any link.
    if (!peer || !call || call.id !== callId || !entry || this.id < peer.id) {
      this.#log.warn('unexpected offer ignored', { peer: peer?.id ?? null });
      return;
    }
    if (this.#claimLinkNumber(connection, number) === null) {
      this.#log.warn('offer reused a link number; ignored', { peer: peer.id, link: number });
      return;
    }
    entry.connection = connection;
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
    const call = this.#call;
    if (entry?.connection === connection && call?.hasMember(peer.id))
      this.#probe(call, peer.id, error);
  }

  /**
   * The signaling connection to a member closed. One quick dial tells a process that is
   * gone (its host refuses the connection: removed at once) from a network hiccup (the
   * heartbeat decides); a working dial just replaces the connection.
   */
  #probe(call: Call, peerId: string, error: MeshError | null): void {
    this.#pool
      .connect(peerId, this.#memberEndpoints(call, peerId))
      .then((connection) => {
        const entry = this.#memberLinks.get(peerId);
        if (!entry || this.#call !== call) return;
        connection.enableKeepalive();
        entry.connection = connection;
      })
      .catch((err: unknown) => {
        if (this.#call !== call || !isRefused(err)) return;
        call.removeMember(peerId, 'lost', error ?? (err instanceof MeshError ? err : null));
      });
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

  /** How we describe a member to the others (its address as we reach it). */
  #memberInfo(call: Call, memberId: string): MemberInfo | null {
    const member = call.member(memberId);
    const publicKey = call.publicKeyOf(memberId);
    if (!member || !publicKey) return null;
    const peer = this.#memberLinks.get(memberId)?.connection.peer;
    return {
      id: memberId,
      name: member.name,
      publicKey: toBase64(publicKey),
      host: peer?.address ?? '',
      port: peer?.port ?? 1,
    };
  }

  #memberInfos(call: Call): MemberInfo[] {
    const infos: MemberInfo[] = [];
    for (const member of call.members()) {
      const info = this.#memberInfo(call, member.id);
      if (info) infos.push(info);
    }
    return infos;
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
        keyId: sending.keyId,
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
