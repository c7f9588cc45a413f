/**
 * Checks what a user interface sends. Both shells treat the page as untrusted: every
 * message is validated against clientMessageSchema, and anything else is answered with
 * ERR_BAD_COMMAND and changes nothing.
 */
import type { Command } from '../../protocol/api.js';
import type { ServerMessage } from '../../protocol/ui-protocol.js';
import { clientMessageSchema } from '../../protocol/ui-protocol.js';

/** Same bound as a headless command line: no valid command comes near it. */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

export type ClientVerdict = { ok: true; command: Command } | { ok: false; message: string };

export interface CheckOptions {
  /**
   * A web page must not be able to stop the node (any page could be behind a tab the user
   * left open); the Electron window is the app itself and may quit it.
   */
  allowQuit: boolean;
}

/** Validates a decoded message (an IPC payload, or parsed JSON). */
export function checkClientMessage(raw: unknown, options: CheckOptions): ClientVerdict {
  const parsed = clientMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
    return { ok: false, message: `invalid message${where}: ${issue?.message ?? 'rejected'}` };
  }
  const { command } = parsed.data;
  if (command.cmd === 'quit' && !options.allowQuit) {
    return { ok: false, message: 'quit is not accepted from a web page; stop the node instead' };
  }
  // A page chooses no paths on this computer: the interface exports through a download
  // (export-chat-text), and a page that could name paths could plant files wherever the
  // user may write.
  if (command.cmd === 'export-chat') {
    return { ok: false, message: 'export-chat is not accepted from the interface; use a download' };
  }
  return { ok: true, command };
}

/** Validates a WebSocket text message: size first, then JSON, then the schema. */
export function checkClientText(text: string, options: CheckOptions): ClientVerdict {
  if (Buffer.byteLength(text, 'utf8') > MAX_CLIENT_MESSAGE_BYTES) {
    return { ok: false, message: `message longer than ${MAX_CLIENT_MESSAGE_BYTES} bytes` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'message is not valid JSON' };
  }
  return checkClientMessage(raw, options);
}

export function badCommand(message: string): ServerMessage {
  return { type: 'event', event: { event: 'error', code: 'ERR_BAD_COMMAND', message } };
}
