/**
 * The order every member shows a call's chat in: Lamport clock, then author id, then
 * message id. A total order on what all members hold, so all show the same list whatever
 * order messages arrived in. The node (p2p/chat/chat-log.ts) and the page
 * (renderer/state/reducer.ts) both order with this module.
 */

/** The fields the order reads. */
export interface ChatOrderKey {
  readonly clock: number;
  readonly from: string;
  readonly id: string;
}

export function compareMessages(a: ChatOrderKey, b: ChatOrderKey): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * Adds `incoming` to `existing` (already in order), ignoring ids already present, and
 * keeps the order. `added` lists the messages that were new, in arrival order. When
 * nothing is new, `messages` is `existing` itself, so callers can tell nothing changed.
 */
export function mergeMessages<Message extends ChatOrderKey>(
  existing: readonly Message[],
  incoming: readonly Message[],
): { messages: readonly Message[]; added: Message[] } {
  const known = new Set(existing.map((message) => message.id));
  const added: Message[] = [];
  for (const message of incoming) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    added.push(message);
  }
  if (added.length === 0) return { messages: existing, added };
  const messages = [...existing, ...added].sort(compareMessages);
  return { messages, added };
}
