/**
 * What travels between the node and a user interface (Electron preload IPC or the
 * browser bridge's WebSocket). The renderer imports the types only.
 *
 * JSON, UI → node: `{ "type": "command", "command": Command }`.
 * JSON, node → UI: `ServerMessage`.
 * Binary, node → UI: one video frame per message:
 *   byte 0      kind: 1 = a member's frame, 2 = our own (filtered) preview
 *   bytes 1-16  peer id (16 bytes; the 32 hex digits of the id)
 *   bytes 17-20 frame number, u32 big-endian
 *   bytes 21-22 width, u16 big-endian; bytes 23-24 height, u16 big-endian
 *   bytes 25-   the JPEG
 */
import { z } from 'zod';
import type { SessionEvent } from './api.js';
import { commandSchema } from './api.js';

export const clientMessageSchema = z.strictObject({
  type: z.literal('command'),
  command: commandSchema,
});
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export interface SelfInfo {
  id: string;
  name: string;
  port: number;
  fingerprint: string;
}

export type ServerMessage =
  { type: 'hello'; self: SelfInfo } | { type: 'event'; event: SessionEvent };

export const FRAME_HEADER_BYTES = 25;
export const FRAME_KIND_REMOTE = 1;
export const FRAME_KIND_LOCAL = 2;

export interface UiVideoFrame {
  kind: 'remote' | 'local';
  peer: string;
  frame: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}
