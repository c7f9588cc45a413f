import assert from 'node:assert/strict';
import { peerIdFromPublicKey, toBase64 } from '../../crypto/index.js';
import type { AdmittingCall } from '../../p2p/call/admission.js';
import { Admission, ticketValid } from '../../p2p/call/admission.js';
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
  const adaGate = new Admission(id(ada), ada);
  const bobTickets = new Admission(id(bob), bob);
  const eveTickets = new Admission(id(eve), eve);

  it("lets in a peer whose ticket a member signed for this call and the peer's key", () => {
    const ticket = bobTickets.ticketFor(CALL, cy.publicKey);
    assert.equal(adaGate.admits(adasCall, cy.publicKey, { inviter: id(bob), ticket }), true);
    assert.equal(ticketValid(bob.publicKey, CALL, cy.publicKey, ticket), true);
  });

  it('lets in a peer we signed for ourselves, and our own proof as a creator checks out', () => {
    const ticket = adaGate.ticketFor(CALL, cy.publicKey);
    assert.equal(adaGate.admits(adasCall, cy.publicKey, { inviter: id(ada), ticket }), true);
    const own = bobTickets.ownProof(CALL);
    assert.equal(own.inviter, id(bob));
    assert.equal(adaGate.admits(adasCall, bob.publicKey, own), true);
  });

  it('refuses a forged ticket: signed by someone else than the named inviter, or garbage', () => {
    const byEve = eveTickets.ticketFor(CALL, cy.publicKey);
    assert.equal(
      adaGate.admits(adasCall, cy.publicKey, { inviter: id(bob), ticket: byEve }),
      false,
    );
    const garbage = toBase64(new Uint8Array(64).fill(7));
    assert.equal(
      adaGate.admits(adasCall, cy.publicKey, { inviter: id(bob), ticket: garbage }),
      false,
    );
    assert.equal(
      adaGate.admits(adasCall, cy.publicKey, { inviter: id(bob), ticket: 'not base64!' }),
      false,
    );
  });

  it('refuses a ticket signed by a peer who is not in the call', () => {
    const ticket = eveTickets.ticketFor(CALL, cy.publicKey);
    assert.equal(adaGate.admits(adasCall, cy.publicKey, { inviter: id(eve), ticket }), false);
  });

  it('refuses a ticket for another call', () => {
    const ticket = bobTickets.ticketFor(OTHER_CALL, cy.publicKey);
    assert.equal(adaGate.admits(adasCall, cy.publicKey, { inviter: id(bob), ticket }), false);
  });

  it('refuses a ticket made out to another key (shown by a peer it was not given to)', () => {
    const ticket = bobTickets.ticketFor(CALL, cy.publicKey);
    assert.equal(adaGate.admits(adasCall, eve.publicKey, { inviter: id(bob), ticket }), false);
  });
});
