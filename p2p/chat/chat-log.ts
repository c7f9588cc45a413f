import { fromBase64, peerIdFromPublicKey, toBase64, verifyStatement } from '../../crypto/index.js';
import type { ChatWire } from '../link/control-messages.js';
import { MAX_HISTORY } from '../link/control-messages.js';
import { randomId } from '../base/ids.js';
import { compareMessages } from '../../protocol/chat-order.js';

export interface ChatMessage {
  readonly call: string;
  readonly id: string;
  readonly from: string;
  readonly name: string;
  readonly ts: number;
  readonly clock: number;
  readonly text: string;
}

export interface ChatAuthor {
  id: string;
  name: string;
  publicKey: Uint8Array;
  /** Signs the statement fields as a 'chat' statement with our identity key. */
  sign: (fields: readonly string[]) => Uint8Array;
}

/**
 * The name bound to a chat author's key: the call's roster name of a member who is or was in
 * the call (or our own), null for anyone else. A message's own `name` is never shown.
 */
export type ChatAuthorName = (id: string, publicKey: Uint8Array) => string | null;

/** How far a live message's timestamp may be from our clock (either way). */
export const CHAT_CLOCK_SKEW_MS = 10 * 60_000;
/** How old relayed history may be: a call this long is already unusual. */
export const CHAT_HISTORY_AGE_MS = 7 * 24 * 3_600_000;
/** How far a Lamport clock may jump past the highest we have seen, in one message. */
export const CHAT_CLOCK_JUMP = 1000;
/** Authentic messages held while their author is unknown (see ChatLog.acceptHeld). */
export const MAX_HELD = 1000;

const NOT_A_MEMBER = 'author is not a member of the call';

export type ChatAcceptResult =
  | { status: 'new'; message: ChatMessage }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: string };

/**
 * A call's chat: every message has a random id and a Lamport clock; all members order
 * by (clock, author id, message id) (protocol/chat-order.ts, shared with the page), so all
 * show the same order whatever the arrival order. Messages are signed by their authors so
 * that anyone may relay them.
 */
export class ChatLog {
  readonly #call: string;
  readonly #author: ChatAuthor;
  readonly #nameOf: ChatAuthorName;
  readonly #byId = new Map<string, { message: ChatMessage; wire: ChatWire }>();
  #clock = 0;
  /**
   * The highest clock of any authentic message for this call, from a member or not. Jumps
   * are bounded from here rather than from #clock so that a late joiner, who cannot bind
   * history written by members who left before it came, does not then refuse everything after.
   */
  #highestSeen = 0;
  /**
   * Authentic messages by authors the call does not know: not shown, but kept (bounded) in
   * case the author turns out a member — history can arrive before the member who wrote it
   * is added (a late joiner meets the relaying member first).
   */
  readonly #held = new Map<string, ChatWire>();
  #sorted: ChatMessage[] | null = [];
  rejected = 0;

  constructor(call: string, author: ChatAuthor, nameOf: ChatAuthorName) {
    this.#call = call;
    this.#author = author;
    this.#nameOf = nameOf;
  }

  get size(): number {
    return this.#byId.size;
  }

  compose(text: string, now = Date.now()): { message: ChatMessage; wire: ChatWire } {
    this.#clock++;
    const base = {
      id: randomId(),
      from: this.#author.id,
      name: this.#author.name,
      ts: now,
      clock: this.#clock,
      text,
    };
    const wire: ChatWire = {
      ...base,
      pk: toBase64(this.#author.publicKey),
      sig: toBase64(this.#author.sign(this.#fields(base))),
    };
    const message: ChatMessage = { call: this.#call, ...base };
    this.#store(message, wire);
    return { message, wire };
  }

  /**
   * Checks a message from the network; never throws. `relayed`: it came as history (a
   * chat-batch), so it may be older than a live one.
   */
  accept(wire: ChatWire, { relayed = false, now = Date.now() } = {}): ChatAcceptResult {
    if (this.#byId.has(wire.id)) return { status: 'duplicate' };
    const held = this.#held.get(wire.id);
    if (held?.sig === wire.sig && held.pk === wire.pk) return this.#reject(NOT_A_MEMBER);
    const oldest = now - (relayed ? CHAT_HISTORY_AGE_MS : CHAT_CLOCK_SKEW_MS);
    if (wire.ts < oldest || wire.ts > now + CHAT_CLOCK_SKEW_MS) {
      return this.#reject('timestamp too far from our clock');
    }
    let publicKey: Uint8Array;
    let signature: Uint8Array;
    try {
      publicKey = fromBase64(wire.pk);
      signature = fromBase64(wire.sig);
    } catch {
      return this.#reject('bad encoding');
    }
    if (publicKey.length !== 32 || peerIdFromPublicKey(publicKey) !== wire.from) {
      return this.#reject('author id does not match its key');
    }
    if (!verifyStatement(publicKey, 'chat', this.#fields(wire), signature)) {
      return this.#reject('bad signature');
    }
    if (wire.clock > Math.max(this.#clock, this.#highestSeen) + CHAT_CLOCK_JUMP) {
      return this.#reject('clock jumps too far');
    }
    this.#highestSeen = Math.max(this.#highestSeen, wire.clock);
    const name = this.#nameOf(wire.from, publicKey);
    if (name === null) {
      if (this.#held.size < MAX_HELD) this.#held.set(wire.id, wire);
      return this.#reject(NOT_A_MEMBER);
    }
    this.#held.delete(wire.id);
    if (this.#byId.size >= MAX_HISTORY) return this.#reject('history is full');
    this.#clock = Math.max(this.#clock, wire.clock);
    const message: ChatMessage = {
      call: this.#call,
      id: wire.id,
      from: wire.from,
      name,
      ts: wire.ts,
      clock: wire.clock,
      text: wire.text,
    };
    this.#store(message, wire);
    return { status: 'new', message };
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** An author just became known as a member: what we held from it, now accepted. */
  acceptHeld(authorId: string, now = Date.now()): ChatMessage[] {
    const accepted: ChatMessage[] = [];
    for (const [id, wire] of this.#held) {
      if (wire.from !== authorId) continue;
      this.#held.delete(id);
      const result = this.accept(wire, { relayed: true, now });
      if (result.status === 'new') accepted.push(result.message);
    }
    return accepted;
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** What we hold that a member holding `theirs` lacks, in display order. */
  missingFor(theirs: ReadonlySet<string>): ChatWire[] {
    return this.#wires((id) => !theirs.has(id));
  }

  /** The messages we hold among `ids`, in display order. */
  wiresFor(ids: readonly string[]): ChatWire[] {
    const wanted = new Set(ids);
    return this.#wires((id) => wanted.has(id));
  }

  /** Every message in the order all members agree on. */
  ordered(): ChatMessage[] {
    this.#sorted ??= [...this.#byId.values()].map((entry) => entry.message).sort(compareMessages);
    return this.#sorted;
  }

  #wires(include: (id: string) => boolean): ChatWire[] {
    return this.ordered()
      .filter((message) => include(message.id))
      .map((message) => this.#byId.get(message.id)?.wire)
      .filter((wire): wire is ChatWire => wire !== undefined);
  }

  #fields(message: Omit<ChatMessage, 'call'>): string[] {
    return [
      this.#call,
      message.id,
      message.from,
      message.name,
      String(message.ts),
      String(message.clock),
      message.text,
    ];
  }

  #store(message: ChatMessage, wire: ChatWire): void {
    this.#byId.set(message.id, { message, wire });
    this.#sorted = null;
  }

  #reject(reason: string): ChatAcceptResult {
    this.rejected++;
    return { status: 'rejected', reason };
  }
}
