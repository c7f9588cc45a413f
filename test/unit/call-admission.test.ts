import assert from 'node:assert/strict';
import { peerIdFromPublicKey, toBase64 } from '../../crypto/index.js';
import type { AdmittingCall } from '../../p2p/call/admission.js';
import { Admission, TICKET_TTL_MS } from '../../p2p/call/admission.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';

const ada = seededIdentity(1);
const bob = seededIdentity(2);
const cy = seededIdentity(3);
const eve = seededIdentity(4);
const id = (keys: { publicKey: Uint8Array }): string => peerIdFromPublicKey(keys.publicKey);

const CALL = 'a'.repeat(32);
const OTHER_CALL = 'b'.repeat(32);

/** Ada's view of her call: Bob is a member, Eve is not. */
const adasCall: AdmittingCall = {
  id: CALL,
  hasMember: (peer) => peer === id(bob),
  publicKeyOf: (peer) => (peer === id(bob) ? bob.publicKey : null),
};

describe('admission: join tickets', () => {
  let clock = 1_700_000_000_000;
  const now = (): number => clock;
  let adaGate: Admission;
  const bobTickets = new Admission(id(bob), bob, now);
  const eveTickets = new Admission(id(eve), eve, now);

  beforeEach(() => {
    clock = 1_700_000_000_000;
    adaGate = new Admission(id(ada), ada, now);
  });

  it("lets in a peer whose ticket a member signed for this call, the peer's key and epoch", () => {
    const ticket = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(ticket.inviter, id(bob));
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'ok');
  });

  it('lets in a peer we signed for ourselves', () => {
    const ticket = adaGate.issue(CALL, cy.publicKey, 0);
    const other = new Admission(id(ada), ada, now);
    assert.equal(other.admit(adasCall, 0, cy.publicKey, ticket), 'ok');
  });

  it('refuses a replayed ticket: each member accepts a ticket once', () => {
    const ticket = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'ok');
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'replayed');
    assert.deepEqual(adaGate.refused(), { replayed: 1 });
  });

  it('refuses a ticket shown back to the member that issued it', () => {
    const ticket = adaGate.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'replayed');
  });

  it('refuses an expired ticket, and one whose expiry lies implausibly far ahead', () => {
    const ticket = bobTickets.issue(CALL, cy.publicKey, 5);
    clock += TICKET_TTL_MS + 1;
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'expired');
    const later = bobTickets.issue(CALL, cy.publicKey, 5);
    clock -= 10 * TICKET_TTL_MS;
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, later), 'expired');
  });

  it('takes the current and the previous epoch (and later ones), refuses older ones', () => {
    assert.equal(
      adaGate.admit(adasCall, 6, cy.publicKey, bobTickets.issue(CALL, cy.publicKey, 5)),
      'ok',
    );
    assert.equal(
      adaGate.admit(adasCall, 5, cy.publicKey, bobTickets.issue(CALL, cy.publicKey, 9)),
      'ok',
    );
    const old = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 7, cy.publicKey, old), 'stale-epoch');
  });

  it('refuses a forged ticket: altered fields, someone else signed it, or garbage', () => {
    const ticket = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, { ...ticket, epoch: 6 }), 'forged');
    const later = { ...ticket, expires: ticket.expires + 1 };
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, later), 'forged');
    const byEve = eveTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(
      adaGate.admit(adasCall, 5, cy.publicKey, { ...byEve, inviter: id(bob) }),
      'forged',
    );
    const garbage = { ...ticket, sig: toBase64(new Uint8Array(64).fill(7)) };
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, garbage), 'forged');
    assert.equal(
      adaGate.admit(adasCall, 5, cy.publicKey, { ...ticket, sig: 'not base64!' }),
      'forged',
    );
  });

  it('refuses a ticket signed by a peer who is not in the call', () => {
    const ticket = eveTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'unknown-inviter');
  });

  it('refuses a ticket for another call, or made out to another key', () => {
    const elsewhere = bobTickets.issue(OTHER_CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, elsewhere), 'forged');
    const forCy = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.admit(adasCall, 5, eve.publicKey, forCy), 'forged');
  });

  it("a roster entry's ticket must be the gossiper's, and stays usable to join", () => {
    const ticket = bobTickets.issue(CALL, cy.publicKey, 5);
    assert.equal(adaGate.vouches(adasCall, 5, cy.publicKey, ticket, id(eve)), 'wrong-signer');
    assert.equal(adaGate.vouches(adasCall, 5, cy.publicKey, ticket, id(bob)), 'ok');
    assert.equal(adaGate.vouches(adasCall, 5, cy.publicKey, ticket, id(bob)), 'ok');
    assert.equal(adaGate.admit(adasCall, 5, cy.publicKey, ticket), 'ok');
  });
});
