/**
 * The session API: one vocabulary for every front end (headless CLI, Electron preload, browser
 * bridge), as zod schemas (types inferred). The node checks commands with commandSchema, the
 * renderer checks events with sessionEventSchema.
 */
import * as z from 'zod';
import { hexId } from './hex-id.js';
import type { ApiErrorCode } from './error-codes.js';
import { API_ERROR_CODES } from './error-codes.js';
import { CAMERA_COMMANDS, CAMERA_EVENTS, videoSourceStateSchema } from './camera-api.js';
import { GESTURE_COMMANDS, GESTURE_EVENTS } from './gesture-api.js';
import { INVITE_COMMANDS, INVITE_EVENTS, inviteMembersSchema } from './invite-api.js';
import { PARTY_COMMANDS, PARTY_EVENTS } from './party-api.js';
import { PROFILE_COMMANDS, PROFILE_EVENTS } from './profile-api.js';
import {
  memberStatsViewSchema,
  sendingAudioStatsViewSchema,
  sendingStatsViewSchema,
} from './stats-api.js';

export const commandSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('invite'), peer: hexId }),
  z.strictObject({ cmd: z.literal('accept'), call: hexId }),
  z.strictObject({
    cmd: z.literal('decline'),
    call: hexId,
    reason: z.string().max(200).optional(),
  }),
  z.strictObject({ cmd: z.literal('chat'), text: z.string().trim().min(1).max(4000) }),
  z.strictObject({ cmd: z.literal('leave') }),
  z.strictObject({
    cmd: z.literal('add-peer'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
  }),
  z.strictObject({ cmd: z.literal('peers') }),
  z.strictObject({ cmd: z.literal('trust'), peer: hexId }),
  z.strictObject({ cmd: z.literal('verify'), peer: hexId, verified: z.boolean().optional() }),
  z.strictObject({
    cmd: z.literal('set-filters'),
    filters: z.array(z.string().min(1).max(32)).max(8),
  }),
  z.strictObject({ cmd: z.literal('set-source'), source: z.string().min(1).max(4096) }),
  z.strictObject({
    cmd: z.literal('set-video'),
    resolution: z
      .string()
      .regex(/^\d{2,4}x\d{2,4}$/)
      .optional(),
    fps: z.number().int().min(1).max(60).optional(),
  }),
  z.strictObject({ cmd: z.literal('video'), enabled: z.boolean() }),
  /** Muted: we send no voice at all, and every member is told (`mute-state`). */
  z.strictObject({ cmd: z.literal('mute'), muted: z.boolean() }),
  /**
   * Where our voice comes from: `tone:HZ`, `file:PATH.wav`, `none`, or `ui` (the interface's
   * microphone, encoded in the page and handed to the node).
   */
  z.strictObject({ cmd: z.literal('set-audio-source'), source: z.string().min(1).max(4096) }),
  /** Decodes what arrives from a member (jitter buffer and concealment included) into a WAV. */
  z.strictObject({
    cmd: z.literal('record-audio'),
    peer: hexId,
    seconds: z.number().positive().max(600),
    path: z.string().min(1).max(4096),
  }),
  /** Runs the camera outside a call, for the self view and the filter picker. */
  z.strictObject({ cmd: z.literal('preview'), enabled: z.boolean() }),
  z.strictObject({ cmd: z.literal('snapshot'), peer: hexId }),
  /** The page could not decode this member's video: ask it for a keyframe. */
  z.strictObject({ cmd: z.literal('keyframe'), peer: hexId }),
  z.strictObject({ cmd: z.literal('filters') }),
  z.strictObject({ cmd: z.literal('members') }),
  z.strictObject({ cmd: z.literal('history') }),
  z.strictObject({
    cmd: z.literal('export-chat'),
    path: z.string().min(1).max(4096),
    format: z.enum(['markdown', 'text']).optional(),
  }),
  /** The same export as text, for an interface to save as a download (no path involved). */
  z.strictObject({ cmd: z.literal('export-chat-text'), format: z.enum(['markdown', 'text']) }),
  /** Answered with a `health` event: the node's event-loop delay and memory. */
  z.strictObject({ cmd: z.literal('health') }),
  z.strictObject({ cmd: z.literal('quit') }),
  ...GESTURE_COMMANDS,
  ...INVITE_COMMANDS,
  ...PARTY_COMMANDS,
  ...CAMERA_COMMANDS,
  ...PROFILE_COMMANDS,
]);
export type Command = z.infer<typeof commandSchema>;
export type CommandName = Command['cmd'];

// ---- events: node → front end -------------------------------------------------------------
// The schemas describe what the node emits; they never shape it. Each front end that reads
// events from another process (the renderer) checks them against these; the node's own
// types are inferred from them, so the two cannot drift apart. Objects are not strict: a
// reader takes the fields it knows and drops the rest.

export const trustStateSchema = z.enum(['new', 'known', 'verified', 'key-changed']);
export type TrustState = z.infer<typeof trustStateSchema>;

export const peerViewSchema = z.object({
  peer: z.string(),
  /** The name we keep for a known key, else the one it announces. */
  name: z.string(),
  /** What a known peer announces now, when that differs from the name we keep (a rename). */
  announcedName: z.string().optional(),
  host: z.string(),
  port: z.number(),
  safetyCode: z.string(),
  fingerprint: z.string(),
  trust: trustStateSchema,
  source: z.enum(['mdns', 'manual']),
});
export type PeerView = z.infer<typeof peerViewSchema>;

export const memberEventViewSchema = z.object({
  peer: z.string(),
  name: z.string(),
  state: z.enum(['connecting', 'connected', 'reconnecting', 'left']),
  safetyCode: z.string(),
  verified: z.boolean(),
});
export type MemberEventView = z.infer<typeof memberEventViewSchema>;

export const mediaSettingsViewSchema = z.object({
  source: z.string(),
  width: z.number(),
  height: z.number(),
  fps: z.number(),
  filters: z.array(z.string()),
  enabled: z.boolean(),
  /** Whether the source works (camera-api.ts); older nodes send none. */
  sourceState: videoSourceStateSchema.optional(),
});
export type MediaSettingsView = z.infer<typeof mediaSettingsViewSchema>;

/** A chat message as front ends show it (`chat` events carry the same fields). */
export const chatEntryViewSchema = z.object({
  id: z.string(),
  from: z.string(),
  name: z.string(),
  ts: z.number(),
  clock: z.number(),
  text: z.string(),
});
export type ChatEntryView = z.infer<typeof chatEntryViewSchema>;

/** Why a member left the call: said bye, went silent, or its link never came up. */
export const memberLeftReasonSchema = z.enum(['left', 'lost', 'failed']);
export type MemberLeftReason = z.infer<typeof memberLeftReasonSchema>;

/**
 * Why our call ended: we left (or the app quit), crossing invites merged it into the other
 * call, the only invitee declined or never answered, or the last member left.
 */
export const callEndedReasonSchema = z.enum([
  'left',
  'quit',
  'merged',
  'declined',
  'no answer',
  'everyone left',
]);
export type CallEndedReason = z.infer<typeof callEndedReasonSchema>;

export type { ApiErrorCode };
export * from './stats-api.js';

export const sessionEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('ready'),
    id: z.string(),
    name: z.string(),
    port: z.number(),
    fingerprint: z.string(),
    publicKey: z.string(),
  }),
  peerViewSchema.extend({ event: z.literal('peer-up') }),
  z.object({ event: z.literal('peer-down'), peer: z.string(), name: z.string() }),
  z.object({ event: z.literal('peers'), peers: z.array(peerViewSchema) }),
  z.object({
    event: z.literal('invite'),
    call: z.string(),
    from: z.string(),
    name: z.string(),
    safetyCode: z.string(),
    trust: trustStateSchema,
    members: inviteMembersSchema,
  }),
  z.object({ event: z.literal('invite-sent'), call: z.string(), peer: z.string() }),
  z.object({
    event: z.literal('invite-declined'),
    call: z.string(),
    peer: z.string(),
    reason: z.string(),
  }),
  z.object({ event: z.literal('invite-cancelled'), call: z.string(), from: z.string() }),
  z.object({
    event: z.literal('call-joined'),
    call: z.string(),
    members: z.array(memberEventViewSchema),
  }),
  memberEventViewSchema.extend({ event: z.literal('member-joined'), call: z.string() }),
  memberEventViewSchema.extend({ event: z.literal('member-state'), call: z.string() }),
  z.object({
    event: z.literal('members'),
    call: z.string().nullable(),
    members: z.array(memberEventViewSchema),
    /** Out of a call: the ended call whose chat the node still keeps (`history` gives it). */
    lastChat: z.string().optional(),
  }),
  z.object({
    event: z.literal('history'),
    call: z.string(),
    messages: z.array(chatEntryViewSchema),
  }),
  z.object({
    event: z.literal('chat-exported'),
    call: z.string(),
    path: z.string(),
    messages: z.number(),
  }),
  z.object({
    event: z.literal('chat-export-text'),
    call: z.string(),
    format: z.enum(['markdown', 'text']),
    text: z.string(),
    messages: z.number(),
  }),
  z.object({
    event: z.literal('member-left'),
    call: z.string(),
    peer: z.string(),
    name: z.string(),
    reason: memberLeftReasonSchema,
    /** For people: what went wrong, when something did. */
    detail: z.string().optional(),
  }),
  z.object({
    event: z.literal('call-ended'),
    call: z.string(),
    reason: callEndedReasonSchema,
    detail: z.string().optional(),
  }),
  chatEntryViewSchema.extend({ event: z.literal('chat'), call: z.string() }),
  z.object({
    event: z.literal('key-changed'),
    peer: z.string(),
    name: z.string(),
    previousPeer: z.string(),
    message: z.string(),
  }),
  z.object({ event: z.literal('trust-changed'), peer: z.string(), trust: trustStateSchema }),
  mediaSettingsViewSchema.extend({ event: z.literal('media-settings') }),
  z.object({
    event: z.literal('filters'),
    filters: z.array(z.object({ name: z.string(), label: z.string(), description: z.string() })),
  }),
  z.object({ event: z.literal('video-state'), peer: z.string(), enabled: z.boolean() }),
  /** A member (or we ourselves: our own id) muted or unmuted. */
  z.object({ event: z.literal('mute-state'), peer: z.string(), muted: z.boolean() }),
  /** Our own voice: where it comes from, and whether we are muted. */
  z.object({ event: z.literal('audio-settings'), source: z.string(), muted: z.boolean() }),
  z.object({
    event: z.literal('audio-recorded'),
    peer: z.string(),
    path: z.string(),
    seconds: z.number(),
    /** Set when the recording stopped short of the seconds asked: the member or we left. */
    endedEarly: z.enum(['member-left', 'call-ended']).optional(),
  }),
  z.object({
    event: z.literal('stats'),
    call: z.string(),
    sending: sendingStatsViewSchema.extend({ audio: sendingAudioStatsViewSchema }),
    members: z.array(memberStatsViewSchema),
  }),
  /** One received voice packet (with --frame-events): its header and when it arrived. */
  z.object({
    event: z.literal('voice-packet'),
    peer: z.string(),
    seq: z.number(),
    level: z.number(),
    voice: z.boolean(),
    /** On our clock when the link's clock offset is known. */
    captureTs: z.number(),
    receivedAt: z.number(),
  }),
  z.object({
    event: z.literal('frame'),
    peer: z.string(),
    /** The layer it belongs to; frame numbers count per stream. */
    stream: z.number(),
    frame: z.number(),
    codec: z.enum(['h264', 'jpeg']),
    /** Decodable on its own (always for a JPEG); a delta follows its stream's previous frame. */
    keyframe: z.boolean(),
    width: z.number(),
    height: z.number(),
    bytes: z.number(),
    latencyMs: z.number().nullable(),
    /** When it was complete here (ms since the epoch, this node's clock). */
    receivedAt: z.number(),
  }),
  z.object({
    event: z.literal('snapshot'),
    peer: z.string(),
    frame: z.number(),
    width: z.number(),
    height: z.number(),
    captureTs: z.number(),
    jpeg: z.string(),
  }),
  /** The node's own process: event-loop delay since the previous `health` event, memory now. */
  z.object({
    event: z.literal('health'),
    /** How long the delay figures cover: since the previous report. */
    windowMs: z.number(),
    eventLoopSamples: z.number(),
    /** How late the loop ran a 10 ms timer (node:perf_hooks monitorEventLoopDelay). */
    eventLoopDelayP50Ms: z.number(),
    eventLoopDelayP99Ms: z.number(),
    eventLoopDelayMaxMs: z.number(),
    rssBytes: z.number(),
    heapUsedBytes: z.number(),
  }),
  z.object({
    event: z.literal('error'),
    code: z.enum(API_ERROR_CODES),
    message: z.string(),
    peer: z.string().optional(),
    call: z.string().optional(),
  }),
  ...GESTURE_EVENTS,
  ...INVITE_EVENTS,
  ...PARTY_EVENTS,
  ...CAMERA_EVENTS,
  ...PROFILE_EVENTS,
]);
export type SessionEvent = z.infer<typeof sessionEventSchema>;
export type SessionEventName = SessionEvent['event'];
