import type { IdentityKeys } from '../../crypto/index.js';
import { fromBase64, signStatement, toBase64, verifyStatement } from '../../crypto/index.js';
import { randomId } from '../base/ids.js';
import type { WireTicket } from '../signaling/messages.js';

/**
 * Join tickets and admission epochs.
 *
 * A ticket is a member's signature over (call, inviter, invitee key, epoch, expiry, nonce).
 * An inviter issues one only after the invitee accepted; the invitee shows it once to each
 * member it joins. Every member also signs a fresh ticket for each member it lists in a
 * roster, so gossip can only name peers a member vouches for now.
 *
 * The admission epoch is a per-member counter, kept in step like a Lamport clock: admitting
 * someone on a ticket sets it to at least ticket epoch + 1 (the same value at every member
 * that checks the same ticket, so one join moves everyone once); removing a member adds 1;
 * every roster carries the sender's epoch and receivers take the maximum.
 *
 * Why "the current or the previous epoch" (ticket.epoch >= ours - 1) is enough: a ticket of
 * epoch x lets its holder in at epoch x + 1 everywhere it is checked, and every member that
 * learns of the holder learns it from a roster whose epoch (merged first) is already >= x + 1.
 * Its removal adds 1 more, so after leaving, being lost or being removed, every member that
 * saw it is at >= x + 2 and refuses the old ticket; a member who arrives later starts from a
 * ticket and rosters issued after that, so it is at >= x + 2 too. An invitee that declines or
 * never answers never holds a ticket. An honest joiner is refused only if two roster changes
 * its inviter had not seen land between the ticket's signing and its check (a few hundred ms).
 * Later epochs are accepted: only a member signs tickets, we may simply lag it, and a member
 * could as well invite anyone afresh. Expiry bounds what a stolen ticket is worth and how long
 * nonces must be remembered; the nonce makes each ticket single use at each member.
 */
export type Ticket = WireTicket;

/** How long a ticket is good for after its signing (the inviter's clock). */
export const TICKET_TTL_MS = 60_000;
/** Members' clocks may disagree; an expiry further ahead than this is refused as bogus. */
const MAX_CLOCK_SKEW_MS = 30_000;
/** Nonces remembered at once (all unexpired); beyond it new tickets are refused. */
const MAX_REMEMBERED_NONCES = 4096;

export type TicketVerdict =
  | 'ok'
  | 'expired'
  | 'stale-epoch'
  | 'replayed'
  | 'unknown-inviter'
  | 'wrong-signer'
  | 'forged'
  | 'too-many';

/** What admission reads of a call: who is in it, with which key. */
export interface AdmittingCall {
  readonly id: string;
  hasMember(id: string): boolean;
  publicKeyOf(id: string): Uint8Array | null;
}

function ticketFields(
  callId: string,
  inviteeKey: Uint8Array,
  ticket: Omit<Ticket, 'sig'>,
): string[] {
  return [
    callId,
    ticket.inviter,
    toBase64(inviteeKey),
    String(ticket.epoch),
    String(ticket.expires),
    ticket.nonce,
  ];
}

/** Issues our tickets and checks others'; remembers the nonces it accepted until they expire. */
export class Admission {
  readonly #localId: string;
  readonly #identity: IdentityKeys;
  readonly #now: () => number;
  /** Nonce → expiry, of tickets accepted (or issued) here. */
  readonly #used = new Map<string, number>();
  readonly #refused = new Map<TicketVerdict, number>();

  constructor(localId: string, identity: IdentityKeys, now: () => number = Date.now) {
    this.#localId = localId;
    this.#identity = identity;
    this.#now = now;
  }

  /** Our ticket letting `inviteeKey` into `callId`, at our admission `epoch`. */
  issue(callId: string, inviteeKey: Uint8Array, epoch: number): Ticket {
    const expires = this.#now() + TICKET_TTL_MS;
    const unsigned = { inviter: this.#localId, epoch, expires, nonce: randomId() };
    const fields = ticketFields(callId, inviteeKey, unsigned);
    const sig = toBase64(signStatement(this.#identity, 'join-ticket', fields));
    // Shown back to us it is a replay: the invitee comes in on accept, not on a join.
    this.#remember(unsigned.nonce, expires);
    return { ...unsigned, sig };
  }

  /**
   * A joiner's ticket, checked against our `epoch`; an accepted ticket is used up here.
   * The inviter must be us or a member of `call`.
   */
  admit(call: AdmittingCall, epoch: number, joinerKey: Uint8Array, ticket: Ticket): TicketVerdict {
    const verdict = this.#check(call, epoch, joinerKey, ticket, null);
    if (verdict === 'ok') this.#remember(ticket.nonce, ticket.expires);
    return this.#count(verdict);
  }

  /**
   * A roster entry's ticket, signed by the member that sent the roster (`signer`). It stays
   * usable: the member it names may show it to join someone else.
   */
  vouches(
    call: AdmittingCall,
    epoch: number,
    memberKey: Uint8Array,
    ticket: Ticket,
    signer: string,
  ): TicketVerdict {
    return this.#count(this.#check(call, epoch, memberKey, ticket, signer));
  }

  /** Tickets refused so far, by reason. */
  refused(): Partial<Record<TicketVerdict, number>> {
    return Object.fromEntries(this.#refused);
  }

  #check(
    call: AdmittingCall,
    epoch: number,
    key: Uint8Array,
    ticket: Ticket,
    signer: string | null,
  ): TicketVerdict {
    const now = this.#now();
    if (now > ticket.expires || ticket.expires > now + TICKET_TTL_MS + MAX_CLOCK_SKEW_MS) {
      return 'expired';
    }
    if (ticket.epoch + 1 < epoch) return 'stale-epoch';
    if (signer !== null && ticket.inviter !== signer) return 'wrong-signer';
    if (signer === null && this.#used.has(ticket.nonce)) return 'replayed';
    const inviterKey =
      ticket.inviter === this.#localId
        ? this.#identity.publicKey
        : call.hasMember(ticket.inviter)
          ? call.publicKeyOf(ticket.inviter)
          : null;
    if (!inviterKey) return 'unknown-inviter';
    let valid: boolean;
    try {
      const fields = ticketFields(call.id, key, ticket);
      valid = verifyStatement(inviterKey, 'join-ticket', fields, fromBase64(ticket.sig));
    } catch {
      valid = false;
    }
    if (!valid) return 'forged';
    if (signer === null && !this.#roomFor(now)) return 'too-many';
    return 'ok';
  }

  #count(verdict: TicketVerdict): TicketVerdict {
    if (verdict !== 'ok') this.#refused.set(verdict, (this.#refused.get(verdict) ?? 0) + 1);
    return verdict;
  }

  #remember(nonce: string, expires: number): void {
    if (this.#roomFor(this.#now())) this.#used.set(nonce, expires);
  }

  /** Forgets expired nonces (an expired ticket is refused anyway); false if still full. */
  #roomFor(now: number): boolean {
    if (this.#used.size < MAX_REMEMBERED_NONCES) return true;
    for (const [nonce, expires] of this.#used) if (expires < now) this.#used.delete(nonce);
    return this.#used.size < MAX_REMEMBERED_NONCES;
  }
}
