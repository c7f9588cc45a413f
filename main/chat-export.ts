import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage } from '../p2p/call/call.js';
import { isoTime } from '../protocol/time.js';

/**
 * Writes a call's chat to a file the user asked for (history otherwise lives only in
 * memory for the length of the call). Returns the absolute path written.
 */
export async function exportChat(
  callId: string,
  messages: readonly ChatMessage[],
  target: string,
  format: 'markdown' | 'text',
): Promise<string> {
  const absolute = path.resolve(target);
  const text = format === 'markdown' ? toMarkdown(callId, messages) : toText(callId, messages);
  // 0600: a chat is as private as the call it came from.
  await writeFile(absolute, text, { encoding: 'utf8', mode: 0o600, flag: 'w' });
  return absolute;
}

function toMarkdown(callId: string, messages: readonly ChatMessage[]): string {
  const lines = [`# meshcall chat`, '', `Call \`${callId}\`, ${messages.length} messages.`, ''];
  for (const message of messages) {
    const time = isoTime(message.ts) ?? '—';
    const body = message.text.replace(/\n/g, '\n  ');
    lines.push(`- **${escapeMarkdown(message.name)}** (${time}): ${escapeMarkdown(body)}`);
  }
  return `${lines.join('\n')}\n`;
}

function toText(callId: string, messages: readonly ChatMessage[]): string {
  const lines = [`meshcall chat, call ${callId}, ${messages.length} messages`, ''];
  for (const message of messages) {
    lines.push(`[${isoTime(message.ts) ?? '—'}] ${message.name}: ${message.text}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
