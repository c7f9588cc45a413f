import type { ChatMessage } from './types.js';

/** The order every member shows: Lamport clock, then author id, then message id. */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** Adds messages (ignoring ids already present) and keeps the shared order. */
export function mergeMessages(
  existing: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): { messages: ChatMessage[]; added: ChatMessage[] } {
  const known = new Set(existing.map((message) => message.id));
  const added: ChatMessage[] = [];
  for (const message of incoming) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    added.push(message);
  }
  if (added.length === 0) return { messages: existing as ChatMessage[], added };
  const messages = [...existing, ...added].sort(compareMessages);
  return { messages, added };
}
