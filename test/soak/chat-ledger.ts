/**
 * Which soak chat messages each member should receive and which it did. A message is owed
 * to the members that were steadily in the call when it was sent; one a member gets anyway
 * (history sync after a rejoin) is counted apart and never as a loss.
 */
export interface ChatTotals {
  sent: number;
  /** (message, recipient) pairs owed. */
  owed: number;
  delivered: number;
  /** Owed and not (yet) received. */
  missing: number;
  /** Received though not owed: sent while the recipient was out, synced on its return. */
  synced: number;
}

interface Sent {
  readonly from: string;
  readonly owedTo: ReadonlySet<string>;
  readonly got: Set<string>;
}

export class ChatLedger {
  readonly #sent = new Map<string, Sent>();
  #synced = 0;

  /** Records a message before it is sent; its text must be unique in the soak. */
  sent(text: string, from: string, owedTo: Iterable<string>): void {
    if (this.#sent.has(text)) throw new Error(`chat ledger: "${text}" sent twice`);
    this.#sent.set(text, { from, owedTo: new Set(owedTo), got: new Set() });
  }

  /** `member` showed `text` from `from`. Messages not sent by the soak are ignored. */
  received(member: string, from: string, text: string): void {
    const entry = this.#sent.get(text);
    if (!entry || entry.from !== from || member === from || entry.got.has(member)) return;
    entry.got.add(member);
    if (!entry.owedTo.has(member)) this.#synced++;
  }

  /** Pairs still missing that involve `member`, as sender or recipient (all without it). */
  missing(member?: string): number {
    let count = 0;
    for (const entry of this.#sent.values()) {
      for (const to of entry.owedTo) {
        if (entry.got.has(to)) continue;
        if (member === undefined || to === member || entry.from === member) count++;
      }
    }
    return count;
  }

  totals(): ChatTotals {
    let owed = 0;
    for (const entry of this.#sent.values()) owed += entry.owedTo.size;
    const missing = this.missing();
    return {
      sent: this.#sent.size,
      owed,
      delivered: owed - missing,
      missing,
      synced: this.#synced,
    };
  }
}
