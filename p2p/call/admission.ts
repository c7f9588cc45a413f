import type { IdentityKeys } from '../../crypto/index.js';
import { fromBase64, signStatement, toBase64, verifyStatement } from '../../crypto/index.js';

/** Proof of being let in: a member's signature over (call, our key). */
export interface JoinProof {
  inviter: string;
  ticket: string;
}

/** What admission reads of a call: who is in it, with which key. */
export interface AdmittingCall {
  readonly id: string;
  hasMember(id: string): boolean;
  publicKeyOf(id: string): Uint8Array | null;
}

/** A member's signature over (call, joiner key); false for anything malformed or forged. */
export function ticketValid(
  inviterKey: Uint8Array,
  callId: string,
  joinerKey: Uint8Array,
  ticket: string,
): boolean {
  try {
    return verifyStatement(
      inviterKey,
      'join-ticket',
      [callId, toBase64(joinerKey)],
      fromBase64(ticket),
    );
  } catch {
    return false;
  }
}

/**
 * Join tickets: an invitee shows the other members the ticket its inviter signed, and a
 * member lets in only a peer whose ticket was signed by someone in the call (or by us).
 */
export class Admission {
  readonly #localId: string;
  readonly #identity: IdentityKeys;

  constructor(localId: string, identity: IdentityKeys) {
    this.#localId = localId;
    this.#identity = identity;
  }

  /** Our signature letting `inviteeKey` into `callId`, checked by the other members. */
  ticketFor(callId: string, inviteeKey: Uint8Array): string {
    return toBase64(signStatement(this.#identity, 'join-ticket', [callId, toBase64(inviteeKey)]));
  }

  /** A call's creator vouches for itself; members it meets later check this like any ticket. */
  ownProof(callId: string): JoinProof {
    return { inviter: this.#localId, ticket: this.ticketFor(callId, this.#identity.publicKey) };
  }

  /** True if `proof` lets the peer with `joinerKey` into `call`. */
  admits(call: AdmittingCall, joinerKey: Uint8Array, proof: JoinProof): boolean {
    const inviterKey =
      proof.inviter === this.#localId
        ? this.#identity.publicKey
        : call.hasMember(proof.inviter)
          ? call.publicKeyOf(proof.inviter)
          : null;
    return inviterKey !== null && ticketValid(inviterKey, call.id, joinerKey, proof.ticket);
  }
}
