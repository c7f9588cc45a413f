/** The API event schemas: every event the node emits passes, anything else is refused. */
import assert from 'node:assert/strict';
import type { BudgetStats, MemberMediaStats } from '../../p2p/call/call.js';
import type { MediaSenderStats } from '../../p2p/media/sender.js';
import type {
  ApiErrorCode,
  CallEndedReason,
  MemberEventView,
  MemberLeftReason,
  MemberStatsView,
  PeerView,
  SendingStatsView,
  SessionEvent,
  SessionEventName,
  TrustState,
} from '../../protocol/api.js';
import {
  API_ERROR_CODES,
  MEDIA_ERROR_CODES,
  MESH_ERROR_CODES,
} from '../../protocol/error-codes.js';
import { sessionEventSchema } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import { serverMessageSchema } from '../../protocol/ui-protocol.js';
import type { MediaErrorCode } from '../../main/media/errors.js';
import type { MeshErrorCode } from '../../p2p/base/errors.js';

// ---- compile-time: the inferred types are as precise as the hand-written ones were, and
// the stats views match what p2p/ reports. A drift fails `tsc`, not just this test.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Of<N extends SessionEventName> = Extract<SessionEvent, { event: N }>;
const typeChecks = {
  trust: true satisfies Same<TrustState, 'new' | 'known' | 'verified' | 'key-changed'>,
  peerTrust: true satisfies Same<PeerView['trust'], TrustState>,
  peerSource: true satisfies Same<PeerView['source'], 'mdns' | 'manual'>,
  memberState: true satisfies Same<
    MemberEventView['state'],
    'connecting' | 'connected' | 'reconnecting' | 'left'
  >,
  errorCode: true satisfies Same<Of<'error'>['code'], ApiErrorCode>,
  mediaCodes: true satisfies Same<MediaErrorCode, (typeof MEDIA_ERROR_CODES)[number]>,
  meshCodes: true satisfies Same<MeshErrorCode, (typeof MESH_ERROR_CODES)[number]>,
  leftReason: true satisfies Same<Of<'member-left'>['reason'], MemberLeftReason>,
  leftDetail: true satisfies Same<Of<'member-left'>['detail'], string | undefined>,
  endedReason: true satisfies Same<Of<'call-ended'>['reason'], CallEndedReason>,
  membersCall: true satisfies Same<Of<'members'>['call'], string | null>,
  frameLatency: true satisfies Same<Of<'frame'>['latencyMs'], number | null>,
  sending: true satisfies Same<SendingStatsView, Omit<MediaSenderStats, 'sealMs'>>,
  members: true satisfies Same<MemberStatsView, MemberMediaStats & BudgetStats>,
};

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const CALL = 'c'.repeat(32);
const SAFETY = '11111 22222 33333 44444 55555 66666';

const peer: PeerView = {
  peer: B,
  name: 'Bob',
  host: '10.0.0.2',
  port: 4000,
  safetyCode: SAFETY,
  fingerprint: 'ab:cd',
  trust: 'known',
  source: 'mdns',
};
const member: MemberEventView = {
  peer: B,
  name: 'Bob',
  state: 'connected',
  safetyCode: SAFETY,
  verified: false,
};
const chat = {
  id: 'e'.repeat(32),
  from: A,
  name: 'Ada',
  ts: 1_700_000_000_000,
  clock: 3,
  text: 'hi',
};

/** One event of every kind, as the node emits them (the mapped type makes the list complete). */
const SAMPLES: { [N in SessionEventName]: Of<N> } = {
  ready: { event: 'ready', id: A, name: 'Ada', port: 4000, fingerprint: 'ab', publicKey: 'AAAA' },
  'peer-up': { event: 'peer-up', ...peer, source: 'manual' },
  'peer-down': { event: 'peer-down', peer: B, name: 'Bob' },
  peers: { event: 'peers', peers: [peer, { ...peer, peer: A, trust: 'key-changed' }] },
  invite: {
    event: 'invite',
    call: CALL,
    from: B,
    name: 'Bob',
    safetyCode: SAFETY,
    trust: 'new',
    members: ['Carol'],
  },
  'invite-sent': { event: 'invite-sent', call: CALL, peer: B },
  'invite-declined': { event: 'invite-declined', call: CALL, peer: B, reason: 'busy' },
  'invite-cancelled': { event: 'invite-cancelled', call: CALL, from: B },
  'invite-withdrawn': { event: 'invite-withdrawn', call: CALL, peer: B },
  'call-joined': { event: 'call-joined', call: CALL, members: [member] },
  'member-joined': { event: 'member-joined', call: CALL, ...member, state: 'connecting' },
  'member-state': { event: 'member-state', call: CALL, ...member, state: 'reconnecting' },
  members: { event: 'members', call: null, members: [] },
  history: { event: 'history', call: CALL, messages: [chat] },
  'chat-exported': { event: 'chat-exported', call: CALL, path: '/tmp/chat.md', messages: 1 },
  'chat-export-text': {
    event: 'chat-export-text',
    call: CALL,
    format: 'text',
    text: 'meshcall chat\n',
    messages: 1,
  },
  'member-left': {
    event: 'member-left',
    call: CALL,
    peer: B,
    name: 'Bob',
    reason: 'failed',
    detail: 'link never came up',
  },
  'call-ended': { event: 'call-ended', call: CALL, reason: 'everyone left' },
  chat: { event: 'chat', call: CALL, ...chat },
  'key-changed': {
    event: 'key-changed',
    peer: B,
    name: 'Bob',
    previousPeer: 'f'.repeat(32),
    message: 'Bob has a new key',
  },
  'trust-changed': { event: 'trust-changed', peer: B, trust: 'verified' },
  'media-settings': {
    event: 'media-settings',
    source: 'pattern',
    width: 640,
    height: 480,
    fps: 15,
    filters: ['reds', 'blur'],
    enabled: true,
    sourceState: {
      state: 'failed',
      code: 'ERR_CAMERA_UNAVAILABLE',
      reason: 'camera-not-found',
      message: 'there is no camera 0 on this computer',
    },
  },
  'video-sources': {
    event: 'video-sources',
    sources: [
      { source: 'camera:0', kind: 'camera', name: 'Integrated Camera' },
      { source: 'pattern', kind: 'pattern' },
    ],
    current: 'camera:0',
  },
  filters: { event: 'filters', filters: [{ name: 'blur', label: 'Blur', description: 'Soft' }] },
  'video-state': { event: 'video-state', peer: B, enabled: false },
  'mute-state': { event: 'mute-state', peer: B, muted: true },
  hand: { event: 'hand', peer: B, raised: true },
  reaction: { event: 'reaction', peer: B, emoji: '🎉' },
  'name-changed': { event: 'name-changed', name: 'Ada L.' },
  'audio-settings': { event: 'audio-settings', source: 'tone:440', muted: false },
  'audio-recorded': { event: 'audio-recorded', peer: B, path: '/tmp/b.wav', seconds: 3 },
  'voice-packet': {
    event: 'voice-packet',
    peer: B,
    seq: 7,
    level: 15,
    voice: true,
    captureTs: 1_700_000_000_000,
    receivedAt: 1_700_000_000_021,
  },
  stats: {
    event: 'stats',
    call: CALL,
    sending: {
      fps: 14.9,
      kbps: 812.3,
      quality: 80,
      scale: 1,
      width: 640,
      height: 480,
      skipped: 0,
      keyId: 2,
      keyframesForced: 3,
      layers: [{ peer: B, layer: 1 }],
      audio: { packets: 500, kbps: 33.6, muted: false },
    },
    members: [
      {
        peer: B,
        fps: 15,
        kbps: 790,
        latencyP50Ms: null,
        latencyP95Ms: 12.5,
        received: 300,
        lost: 1,
        rejected: 0,
        overBudget: 0,
        width: 640,
        height: 480,
        codec: 'h264',
        layer: 1,
        keyframesRequested: 2,
        undecodable: 1,
        rttMs: null,
        audio: {
          packets: 490,
          lost: 3,
          concealedMs: 60,
          jitterMs: 2.5,
          bufferMs: 40,
          level: -127,
          speaking: false,
          delayP50Ms: null,
          delayP95Ms: null,
        },
      },
    ],
  },
  frame: {
    event: 'frame',
    peer: B,
    stream: 0,
    frame: 42,
    codec: 'h264',
    keyframe: false,
    width: 640,
    height: 480,
    bytes: 20_000,
    latencyMs: null,
    receivedAt: 1_700_000_000_000,
  },
  snapshot: {
    event: 'snapshot',
    peer: B,
    frame: 42,
    width: 640,
    height: 480,
    captureTs: 1_700_000_000_000,
    jpeg: '/9j/4AAQ',
  },
  health: {
    event: 'health',
    windowMs: 10_000,
    eventLoopSamples: 990,
    eventLoopDelayP50Ms: 0.1,
    eventLoopDelayP99Ms: 4.2,
    eventLoopDelayMaxMs: 12.5,
    rssBytes: 120_000_000,
    heapUsedBytes: 30_000_000,
  },
  error: { event: 'error', code: 'ERR_CAMERA_UNAVAILABLE', message: 'no camera', peer: B },
  'party-preparing': { event: 'party-preparing', percent: 40 },
  'party-state': {
    event: 'party-state',
    party: CALL,
    epoch: 1,
    streamer: A,
    title: 'clip.mp4',
    duration: 10,
    paused: false,
    position: 2.5,
    sampledAt: 1_700_000_000_000,
    subtitles: ['English'],
    rate: 1,
    updatedBy: B,
  },
  'party-progress': {
    event: 'party-progress',
    party: CALL,
    have: 3,
    total: 4,
    received: { [A]: 512 },
    uploaded: 0,
  },
  'party-complete': { event: 'party-complete', party: CALL, sha256: 'f'.repeat(64) },
  'party-ended': { event: 'party-ended', party: CALL, reason: 'taken-over' },
};

function firstIssue(value: unknown): { path: string; message: string } {
  const parsed = sessionEventSchema.safeParse(value);
  assert.equal(parsed.success, false, `expected ${JSON.stringify(value)} to be refused`);
  const issue = parsed.error?.issues[0];
  assert.ok(issue, 'a refusal names its first problem');
  return { path: issue.path.join('.'), message: issue.message };
}

describe('protocol: API event schemas', () => {
  it('keeps the inferred types as precise as the protocol says', () => {
    assert.ok(Object.values(typeChecks).every((check) => check));
  });

  it('accepts one event of every kind the node emits, field for field', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const parsed = sessionEventSchema.safeParse(JSON.parse(JSON.stringify(sample)));
      assert.ok(parsed.success, `${name}: ${parsed.error?.message ?? ''}`);
      // Nothing dropped: the schema names every field the node sends.
      assert.deepEqual(parsed.data, sample, name);
    }
  });

  it('lists every error code once, media and mesh codes included', () => {
    assert.equal(new Set(API_ERROR_CODES).size, API_ERROR_CODES.length);
    const all: readonly string[] = API_ERROR_CODES;
    for (const code of [...MEDIA_ERROR_CODES, ...MESH_ERROR_CODES]) assert.ok(all.includes(code));
  });

  it('accepts every error code, optional fields left out', () => {
    for (const code of API_ERROR_CODES) {
      const event = { event: 'error', code, message: 'x' };
      assert.deepEqual(sessionEventSchema.parse(event), event);
    }
  });

  it('drops fields it does not name instead of passing them on', () => {
    const parsed = sessionEventSchema.parse({ ...SAMPLES['peer-down'], extra: '<b>' });
    assert.deepEqual(parsed, SAMPLES['peer-down']);
  });

  it('refuses malformed events and says where the problem is', () => {
    const cases: { value: unknown; path: string; says: RegExp }[] = [
      { value: { ...SAMPLES['peer-down'], peer: 7 }, path: 'peer', says: /string/ },
      { value: { ...SAMPLES['trust-changed'], trust: 'pwned' }, path: 'trust', says: /verified/ },
      { value: { event: 'peers', peers: [{ peer: B }] }, path: 'peers.0.name', says: /string/ },
      { value: { ...SAMPLES['member-left'], reason: 'bored' }, path: 'reason', says: /lost/ },
      { value: { ...SAMPLES.error, code: 'ERR_NOPE' }, path: 'code', says: /ERR_BAD_COMMAND/ },
      { value: { ...SAMPLES.stats, sending: {} }, path: 'sending.fps', says: /number/ },
      { value: { ...SAMPLES.chat, clock: Infinity }, path: 'clock', says: /number|finite/i },
      { value: { event: 'no-such-event' }, path: 'event', says: /invalid/i },
      { value: { event: 'toString' }, path: 'event', says: /invalid/i },
      { value: { ...SAMPLES['call-ended'], detail: null }, path: 'detail', says: /string/ },
    ];
    for (const { value, path, says } of cases) {
      const issue = firstIssue(value);
      assert.equal(issue.path, path, JSON.stringify(value));
      assert.match(issue.message, says, JSON.stringify(value));
    }
    for (const value of [null, [], 'ready', 42]) assert.equal(firstIssue(value).path, '');
  });

  it('checks server messages with the same event schemas', () => {
    const hello: ServerMessage = {
      type: 'hello',
      self: { id: A, name: 'Ada', port: 4000, fingerprint: 'ab' },
    };
    assert.deepEqual(serverMessageSchema.parse(hello), hello);
    for (const event of Object.values(SAMPLES)) {
      const message = { type: 'event', event };
      assert.deepEqual(serverMessageSchema.parse(message), message);
    }
    for (const bad of [
      { type: 'hello', self: { id: A } },
      { type: 'event', event: { event: 'peer-down', peer: B } },
      { type: 'other' },
      { event: 'peer-down', peer: B, name: 'Bob' },
    ]) {
      assert.equal(serverMessageSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
