/**
 * Shape checks for what the node sends. The node is trusted to speak the protocol, but the
 * interface still treats its messages as untrusted input: anything that does not have the
 * shape the reducer relies on is dropped instead of reaching the screen.
 */
import type { SessionEvent } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';

type Spec =
  | 'string'
  | 'number'
  | 'boolean'
  | 'string?'
  | 'number?'
  | 'number|null'
  | 'string|null'
  | 'any'
  | readonly [Spec]
  | { readonly [key: string]: Spec };

function matches(value: unknown, spec: Spec): boolean {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'string?':
        return value === undefined || typeof value === 'string';
      case 'number?':
        return value === undefined || (typeof value === 'number' && Number.isFinite(value));
      case 'number|null':
        return value === null || (typeof value === 'number' && Number.isFinite(value));
      case 'string|null':
        return value === null || typeof value === 'string';
      case 'any':
        return true;
    }
  }
  if (Array.isArray(spec)) {
    const item = (spec as readonly [Spec])[0];
    return Array.isArray(value) && value.every((entry) => matches(entry, item));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(spec).every(([key, inner]) => matches(record[key], inner));
}

const peerView = {
  peer: 'string',
  name: 'string',
  host: 'string',
  port: 'number',
  safetyCode: 'string',
  fingerprint: 'string',
  trust: 'string',
  source: 'string',
} as const;

const memberView = {
  peer: 'string',
  name: 'string',
  state: 'string',
  safetyCode: 'string',
  verified: 'boolean',
} as const;

const chatMessage = {
  id: 'string',
  from: 'string',
  name: 'string',
  ts: 'number',
  clock: 'number',
  text: 'string',
} as const;

const memberStats = {
  peer: 'string',
  fps: 'number',
  kbps: 'number',
  latencyP50Ms: 'number|null',
  latencyP95Ms: 'number|null',
  lost: 'number',
} as const;

/** The fields the interface reads, per event. Events not listed are ignored. */
const EVENT_SPECS: { readonly [Name in SessionEvent['event']]?: Spec } = {
  ready: { id: 'string', name: 'string', port: 'number', fingerprint: 'string' },
  'peer-up': peerView,
  'peer-down': { peer: 'string', name: 'string' },
  peers: { peers: [peerView] },
  invite: {
    call: 'string',
    from: 'string',
    name: 'string',
    safetyCode: 'string',
    trust: 'string',
  },
  'invite-sent': { call: 'string', peer: 'string' },
  'invite-declined': { call: 'string', peer: 'string', reason: 'string' },
  'invite-cancelled': { call: 'string', from: 'string' },
  'call-joined': { call: 'string', members: [memberView] },
  'member-joined': { call: 'string', ...memberView },
  'member-state': { call: 'string', ...memberView },
  members: { call: 'string|null', members: [memberView] },
  history: { call: 'string', messages: [chatMessage] },
  'chat-exported': { call: 'string', path: 'string', messages: 'number' },
  'member-left': { call: 'string', peer: 'string', name: 'string', reason: 'string' },
  'call-ended': { call: 'string', reason: 'string' },
  chat: { call: 'string', ...chatMessage },
  'key-changed': { peer: 'string', name: 'string', previousPeer: 'string', message: 'string' },
  'trust-changed': { peer: 'string', trust: 'string' },
  'media-settings': {
    source: 'string',
    width: 'number',
    height: 'number',
    fps: 'number',
    filters: ['string'],
    enabled: 'boolean',
  },
  filters: { filters: [{ name: 'string', label: 'string', description: 'string' }] },
  'video-state': { peer: 'string', enabled: 'boolean' },
  stats: {
    call: 'string',
    sending: { fps: 'number', kbps: 'number', width: 'number', height: 'number' },
    members: [memberStats],
  },
  error: { code: 'string', message: 'string', peer: 'string?', call: 'string?' },
};

const TRUST = new Set(['new', 'known', 'verified', 'key-changed']);
const MEMBER_STATES = new Set(['connecting', 'connected', 'reconnecting', 'left']);

function enumsValid(event: Record<string, unknown>): boolean {
  const trusts: unknown[] = [];
  const states: unknown[] = [];
  if ('trust' in event) trusts.push(event.trust);
  if (Array.isArray(event.peers)) {
    for (const peer of event.peers as { trust: unknown }[]) trusts.push(peer.trust);
  }
  if (event.event === 'member-joined' || event.event === 'member-state') states.push(event.state);
  if (
    (event.event === 'call-joined' || event.event === 'members') &&
    Array.isArray(event.members)
  ) {
    for (const member of event.members as { state: unknown }[]) states.push(member.state);
  }
  return (
    trusts.every((t) => TRUST.has(t as string)) &&
    states.every((s) => MEMBER_STATES.has(s as string))
  );
}

/** The event if it is one the interface knows, with the fields it reads; otherwise null. */
export function validEvent(value: unknown): SessionEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const event = value as Record<string, unknown>;
  if (typeof event.event !== 'string' || !Object.hasOwn(EVENT_SPECS, event.event)) return null;
  const spec = EVENT_SPECS[event.event as SessionEvent['event']];
  if (spec === undefined || !matches(event, spec) || !enumsValid(event)) return null;
  return value as SessionEvent;
}

/** Parses one JSON text message from the node; null when it is not a ServerMessage. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return validServerMessage(value);
}

export function validServerMessage(value: unknown): ServerMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === 'hello') {
    const self = { id: 'string', name: 'string', port: 'number', fingerprint: 'string' } as const;
    return matches(message.self, self) ? (value as ServerMessage) : null;
  }
  if (message.type === 'event') {
    const event = validEvent(message.event);
    return event ? { type: 'event', event } : null;
  }
  return null;
}
