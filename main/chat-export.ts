import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../p2p/base/errors.js';
import type { ChatMessage } from '../p2p/call/call.js';
import type { Command, SessionEvent } from '../protocol/api.js';
import { CommandError } from './command-error.js';

export type ChatExportFormat = 'markdown' | 'text';

/** The `history` event: the call's whole chat, each message with the fields front ends show. */
export function historyEvent(callId: string, history: readonly ChatMessage[]): SessionEvent {
  const messages = history.map(({ id, from, name, ts, clock, text }) => ({
    id,
    from,
    name,
    ts,
    clock,
    text,
  }));
  return { event: 'history', call: callId, messages };
}
type ExportCommand = Extract<Command, { cmd: 'export-chat' | 'export-chat-text' }>;
type ExportEvent = Extract<SessionEvent, { event: 'chat-exported' | 'chat-export-text' }>;

/** Carries out an export command on a call's history; resolves with the event to emit. */
export async function runExportCommand(
  callId: string,
  messages: readonly ChatMessage[],
  command: ExportCommand,
): Promise<ExportEvent> {
  if (command.cmd === 'export-chat-text') {
    const text = chatExportText(callId, messages, command.format);
    return { ...eventBase('chat-export-text', callId, messages), format: command.format, text };
  }
  const format = command.format ?? (/\.(md|markdown)$/i.test(command.path) ? 'markdown' : 'text');
  const path = await exportChat(callId, messages, command.path, format).catch((err: unknown) => {
    throw new CommandError(
      'ERR_EXPORT_FAILED',
      `could not write ${command.path}: ${errorText(err)}`,
    );
  });
  return { ...eventBase('chat-exported', callId, messages), path };
}

function eventBase<E extends ExportEvent['event']>(
  event: E,
  call: string,
  messages: readonly ChatMessage[],
): { event: E; call: string; messages: number } {
  return { event, call, messages: messages.length };
}
import { localTime } from '../protocol/time.js';

/**
 * Writes a call's chat to a new file the user asked for (history otherwise lives only in
 * memory for the length of the call). Returns the absolute path written.
 *
 * Only a new file: an existing one (or a symbolic link, even a dangling one) is refused, so
 * an export can neither overwrite what is there nor be steered elsewhere through a link.
 */
export async function exportChat(
  callId: string,
  messages: readonly ChatMessage[],
  target: string,
  format: ChatExportFormat,
): Promise<string> {
  const absolute = path.resolve(target);
  const text = chatExportText(callId, messages, format);
  // O_EXCL already refuses a link in the last component; O_NOFOLLOW says so on its own.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let file;
  try {
    // 0600: a chat is as private as the call it came from.
    file = await open(absolute, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') {
      throw new Error('the file already exists; export to a new file name', { cause: err });
    }
    throw err;
  }
  try {
    await file.writeFile(text, 'utf8');
  } finally {
    await file.close();
  }
  return absolute;
}

/** The export as text, for a file or for the interface to download. */
export function chatExportText(
  callId: string,
  messages: readonly ChatMessage[],
  format: ChatExportFormat,
): string {
  // One message, one exported line: line breaks inside a name or a message become visible
  // escapes, so no message can start a line that looks like another message.
  const escaped = messages.map((m) => ({ ...m, name: oneLine(m.name), text: oneLine(m.text) }));
  return format === 'markdown' ? toMarkdown(callId, escaped) : toText(callId, escaped);
}

/**
 * Every character that some reader takes as the end of a line, and every other control
 * character but tab: a terminal showing the file would obey an escape sequence that moves
 * the cursor up and overwrites an earlier line.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\\\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r' };

/** `\` becomes `\\` so that an escape in the file is never ambiguous with typed text. */
function oneLine(text: string): string {
  return text.replace(
    CONTROLS,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function toMarkdown(callId: string, messages: readonly ChatMessage[]): string {
  const lines = [`# meshcall chat`, '', `Call \`${callId}\`, ${messages.length} messages.`, ''];
  for (const message of messages) {
    const time = localTime(message.ts) ?? '—';
    const body = message.text.replace(/\n/g, '\n  ');
    lines.push(`- **${escapeMarkdown(message.name)}** (${time}): ${escapeMarkdown(body)}`);
  }
  return `${lines.join('\n')}\n`;
}

function toText(callId: string, messages: readonly ChatMessage[]): string {
  const lines = [`meshcall chat, call ${callId}, ${messages.length} messages`, ''];
  for (const message of messages) {
    lines.push(`[${localTime(message.ts) ?? '—'}] ${message.name}: ${message.text}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
