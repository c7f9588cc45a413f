/**
 * What travels between the node and a user interface (Electron preload IPC or the
 * browser bridge's WebSocket). Both sides treat the other as untrusted: the node checks
 * ClientMessage with clientMessageSchema, the page checks ServerMessage with
 * serverMessageSchema.
 *
 * JSON, UI → node: `{ "type": "command", "command": Command }`.
 * JSON, node → UI: `ServerMessage`.
 * Binary, node → UI: one video frame or one member's voice packet per message; UI → node:
 * one microphone voice packet per message (layouts and codec in protocol/ui-frames.ts).
 */
import * as z from 'zod';
import { commandSchema, sessionEventSchema } from './api.js';

export const clientMessageSchema = z.strictObject({
  type: z.literal('command'),
  command: commandSchema,
});
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const selfInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  port: z.number(),
  fingerprint: z.string(),
  /** This machine's LAN addresses, for a friend to type where discovery is blocked. */
  addresses: z.array(z.string().max(64)).max(16).optional(),
});
export type SelfInfo = z.infer<typeof selfInfoSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), self: selfInfoSchema }),
  z.object({ type: z.literal('event'), event: sessionEventSchema }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

export type {
  UiEncodedFrame,
  UiVideo,
  UiVideoCodec,
  UiVideoFrame,
  UiVoiceFrame,
} from './ui-frames.js';
export {
  ENCODED_HEADER_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_KIND_ENCODED,
  FRAME_KIND_ENCODED_LOCAL,
  FRAME_KIND_LOCAL,
  FRAME_KIND_MIC,
  FRAME_KIND_REMOTE,
  FRAME_KIND_VOICE,
} from './ui-frames.js';
