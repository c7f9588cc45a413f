/**
 * The session API: one vocabulary for every front end (headless CLI, Electron preload,
 * browser bridge). The renderer imports types from here, never code.
 */
import { z } from 'zod';
import type { MemberMediaStats } from '../p2p/call/call.js';
import type { MeshErrorCode } from '../p2p/base/errors.js';
import type { MediaSenderStats } from '../p2p/media/sender.js';
import type { MediaErrorCode } from '../main/media/errors.js';

const hexId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a 32-digit hex id');

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
  /** Runs the camera outside a call, for the self view and the filter picker. */
  z.strictObject({ cmd: z.literal('preview'), enabled: z.boolean() }),
  z.strictObject({ cmd: z.literal('snapshot'), peer: hexId }),
  z.strictObject({ cmd: z.literal('filters') }),
  z.strictObject({ cmd: z.literal('members') }),
  z.strictObject({ cmd: z.literal('history') }),
  z.strictObject({
    cmd: z.literal('export-chat'),
    path: z.string().min(1).max(4096),
    format: z.enum(['markdown', 'text']).optional(),
  }),
  z.strictObject({ cmd: z.literal('quit') }),
]);
export type Command = z.infer<typeof commandSchema>;
export type CommandName = Command['cmd'];

export type TrustState = 'new' | 'known' | 'verified' | 'key-changed';

export interface PeerView {
  peer: string;
  name: string;
  host: string;
  port: number;
  safetyCode: string;
  fingerprint: string;
  trust: TrustState;
  source: 'mdns' | 'manual';
}

export interface MemberEventView {
  peer: string;
  name: string;
  state: 'connecting' | 'connected' | 'reconnecting' | 'left';
  safetyCode: string;
  verified: boolean;
}

export interface MediaSettingsView {
  source: string;
  width: number;
  height: number;
  fps: number;
  filters: string[];
  enabled: boolean;
}

/** What we send, as stats report it (see p2p/media-sender.ts). */
export type SendingStatsView = Omit<MediaSenderStats, 'sealMs'>;

/** What arrives from one member (see p2p/media-receiver.ts). */
export type MemberStatsView = MemberMediaStats;

/** A chat message as front ends show it (`chat` events carry the same fields). */
export interface ChatEntryView {
  id: string;
  from: string;
  name: string;
  ts: number;
  clock: number;
  text: string;
}

/** Why a member left the call: said bye, went silent, or its link never came up. */
export const MEMBER_LEFT_REASONS = ['left', 'lost', 'failed'] as const;
export type MemberLeftReason = (typeof MEMBER_LEFT_REASONS)[number];

/**
 * Why our call ended: we left (or the app quit), crossing invites merged it into the other
 * call, the only invitee declined or never answered, or the last member left.
 */
export const CALL_ENDED_REASONS = [
  'left',
  'quit',
  'merged',
  'declined',
  'no answer',
  'everyone left',
] as const;
export type CallEndedReason = (typeof CALL_ENDED_REASONS)[number];

export type ApiErrorCode =
  | 'ERR_BAD_COMMAND'
  | 'ERR_UNKNOWN_PEER'
  | 'ERR_NOT_IN_CALL'
  | 'ERR_ALREADY_IN_CALL'
  | 'ERR_NO_SUCH_INVITE'
  | 'ERR_INVITE_TIMEOUT'
  | 'ERR_KEY_CHANGED'
  | 'ERR_INTERNAL'
  | 'ERR_NO_FRAME'
  | 'ERR_EXPORT_FAILED'
  | MediaErrorCode
  | MeshErrorCode;

export type SessionEvent =
  | {
      event: 'ready';
      id: string;
      name: string;
      port: number;
      fingerprint: string;
      publicKey: string;
    }
  | ({ event: 'peer-up' } & PeerView)
  | { event: 'peer-down'; peer: string; name: string }
  | { event: 'peers'; peers: PeerView[] }
  | {
      event: 'invite';
      call: string;
      from: string;
      name: string;
      safetyCode: string;
      trust: TrustState;
    }
  | { event: 'invite-sent'; call: string; peer: string }
  | { event: 'invite-declined'; call: string; peer: string; reason: string }
  | { event: 'invite-cancelled'; call: string; from: string }
  | { event: 'call-joined'; call: string; members: MemberEventView[] }
  | ({ event: 'member-joined'; call: string } & MemberEventView)
  | ({ event: 'member-state'; call: string } & MemberEventView)
  | { event: 'members'; call: string | null; members: MemberEventView[] }
  | {
      event: 'history';
      call: string;
      messages: ChatEntryView[];
    }
  | { event: 'chat-exported'; call: string; path: string; messages: number }
  | {
      event: 'member-left';
      call: string;
      peer: string;
      name: string;
      reason: MemberLeftReason;
      /** For people: what went wrong, when something did. */
      detail?: string;
    }
  | { event: 'call-ended'; call: string; reason: CallEndedReason; detail?: string }
  | {
      event: 'chat';
      call: string;
      from: string;
      name: string;
      id: string;
      text: string;
      ts: number;
      clock: number;
    }
  | {
      event: 'key-changed';
      peer: string;
      name: string;
      previousPeer: string;
      message: string;
    }
  | { event: 'trust-changed'; peer: string; trust: TrustState }
  | ({ event: 'media-settings' } & MediaSettingsView)
  | { event: 'filters'; filters: { name: string; label: string; description: string }[] }
  | { event: 'video-state'; peer: string; enabled: boolean }
  | { event: 'stats'; call: string; sending: SendingStatsView; members: MemberStatsView[] }
  | {
      event: 'frame';
      peer: string;
      frame: number;
      width: number;
      height: number;
      bytes: number;
      latencyMs: number | null;
    }
  | {
      event: 'snapshot';
      peer: string;
      frame: number;
      width: number;
      height: number;
      captureTs: number;
      jpeg: string;
    }
  | { event: 'error'; code: ApiErrorCode; message: string; peer?: string; call?: string };

export type SessionEventName = SessionEvent['event'];
