/**
 * A call without WebRTC, for unit tests of the call protocol: links are stubs that record what
 * the call sends and can be paired so what one sends arrives on the other.
 */
import assert from 'node:assert/strict';
import type { SessionKeys } from '../../crypto/index.js';
import { peerIdFromPublicKey, signStatement } from '../../crypto/index.js';
import type { MeshError } from '../../p2p/base/errors.js';
import { TypedEmitter } from '../../p2p/base/typed-emitter.js';
import type { CallLink, LinkFactory } from '../../p2p/call/call-link.js';
import type { CallEvents, CallOptions, MemberIdentity } from '../../p2p/call/call.js';
import { Call } from '../../p2p/call/call.js';
import type { ControlMessage } from '../../p2p/link/control-messages.js';
import type { LinkSignalBody, LinkState, PeerLinkEvents } from '../../p2p/link/peer-link.js';
import { eventsOf } from './events.js';
import { seededIdentity } from './crypto-fixtures.js';

export const callEvents = eventsOf<CallEvents>();

/**
 * A link without WebRTC. On its own it records what the call sends; `pair` wires two of them
 * so what one sends arrives on the other (a tick later, like a network would deliver it).
 */
export class StubLink extends TypedEmitter<PeerLinkEvents> implements CallLink {
  readonly peerId: string;
  readonly sent: ControlMessage[] = [];
  readonly stats = { rttMs: null };
  readonly clockOffsetMs = 0;
  readonly mediaBufferedAmount = 0;
  lastHeard = Date.now();
  state: LinkState = 'connecting';
  hungUp = false;
  peer: StubLink | null = null;

  constructor(peerId: string) {
    super();
    this.peerId = peerId;
  }

  start(): void {}

  handleSignal(_signal: LinkSignalBody): void {}

  sendControl(message: ControlMessage): boolean {
    if (this.state !== 'open') return false;
    this.sent.push(message);
    const peer = this.peer;
    if (peer) setImmediate(() => peer.deliver('control', message));
    return true;
  }

  sendMedia(chunk: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    const peer = this.peer;
    if (peer) setImmediate(() => peer.deliver('media', chunk));
    return true;
  }

  sendVoice(packet: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    const peer = this.peer;
    if (peer) setImmediate(() => peer.deliver('voice', packet));
    return true;
  }

  hangUp(): Promise<void> {
    this.hungUp = true;
    this.close();
    return Promise.resolve();
  }

  close(error: MeshError | null = null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('close', error);
    this.removeAllListeners();
  }

  open(): void {
    this.state = 'open';
    this.lastHeard = Date.now();
    this.emit('open');
  }

  /**
   * A control message arriving while our end is still coming up: a PeerLink hands these on
   * too, since the other end may be open first.
   */
  deliverEarly(message: ControlMessage): void {
    if (this.state === 'closed') return;
    this.emit('control', message);
  }

  deliver<K extends 'control' | 'media' | 'voice'>(event: K, ...args: PeerLinkEvents[K]): void {
    if (this.state !== 'open') return;
    this.lastHeard = Date.now();
    this.emit(event, ...args);
  }
}

export function member(seed: number, name: string): MemberIdentity {
  const { publicKey } = seededIdentity(seed);
  return { id: peerIdFromPublicKey(publicKey), name, publicKey };
}

/** A call whose links are stubs it makes through the factory; `made` lists them in order. */
export function makeCall(
  self: MemberIdentity & { seed: number },
  options: Partial<Omit<CallOptions, 'local' | 'linkFactory'>> = {},
): { call: Call; made: StubLink[] } {
  const made: StubLink[] = [];
  const factory: LinkFactory = (spec) => {
    const link = new StubLink(spec.peerId);
    made.push(link);
    return link;
  };
  const identity = seededIdentity(self.seed);
  const call = new Call({
    describeRoster: () => ({ epoch: 0, members: [] }),
    ...options,
    local: {
      id: self.id,
      name: self.name,
      publicKey: self.publicKey,
      sign: (fields) => signStatement(identity, 'chat', fields),
    },
    linkFactory: factory,
  });
  return { call, made };
}

export const ada = { ...member(1, 'Ada'), seed: 1 };
export const bob = { ...member(2, 'Bob'), seed: 2 };
export const cy = { ...member(3, 'Cy'), seed: 3 };
/** Stub links never derive keys from it. */
export const session: SessionKeys = {
  sendKey: new Uint8Array(32),
  receiveKey: new Uint8Array(32),
  sessionId: new Uint8Array(32),
  peerPublicKey: bob.publicKey,
  peerId: bob.id,
};

export function linkTo(call: Call, peerId: string, linkNumber: number): CallLink {
  const link = call.openLink({ peerId, session, offerer: true, linkNumber });
  assert.ok(link, 'the call made a link');
  return link;
}
