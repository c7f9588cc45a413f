import assert from 'node:assert/strict';
import nacl from 'tweetnacl';
import {
  HandshakeInitiator,
  HandshakeResponder,
  Opener,
  Sealer,
  concatBytes,
  equalBytes,
  peerIdFromPublicKey,
  utf8,
  type IdentityKeys,
} from '../../crypto/index.js';
import {
  LOW_ORDER_POINTS,
  fixedRandom,
  runHandshake,
  seededIdentity,
  throwsMisuse,
} from '../helpers/crypto-fixtures.js';

const alice = seededIdentity(0xa1);
const bob = seededIdentity(0xb0);
const mallory = seededIdentity(0x66);

/** Points of small order: X25519 with any clamped scalar maps them to zero. */
/**
 * A reply built by hand from the spec, so a rogue can claim any identity key and sign with any
 * secret key. An honest responder passes its own keys for both.
 */
function forgeReply(
  hello: Uint8Array,
  claimedKey: Uint8Array,
  ephemeralKey: Uint8Array,
  signer: IdentityKeys,
): Uint8Array {
  const signedPart = concatBytes(Uint8Array.of(1, 2), claimedKey, ephemeralKey);
  const transcript = nacl.hash(concatBytes(utf8('meshcall/ake/v1'), hello, signedPart));
  const signature = nacl.sign.detached(
    concatBytes(utf8('meshcall/ake/v1/responder'), transcript),
    signer.secretKey,
  );
  return concatBytes(signedPart, signature);
}

function flipped(message: Uint8Array, index: number): Uint8Array {
  const copy = message.slice();
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function withByte(message: Uint8Array, index: number, value: number): Uint8Array {
  const copy = message.slice();
  copy[index] = value;
  return copy;
}

/** The ways a frame can be the wrong shape, with the verdict each must get. */
const FRAME_DEFECTS: [
  label: string,
  damage: (message: Uint8Array) => Uint8Array,
  reason: 'malformed' | 'bad-version',
][] = [
  ['empty', () => new Uint8Array(0), 'malformed'],
  ['one byte', (message) => message.subarray(0, 1), 'malformed'],
  ['truncated', (message) => message.subarray(0, message.length - 1), 'malformed'],
  ['extended', (message) => concatBytes(message, Uint8Array.of(0)), 'malformed'],
  ['of the wrong type', (message) => withByte(message, 1, (message[1] ?? 0) + 1), 'malformed'],
  ['of type zero', (message) => withByte(message, 1, 0), 'malformed'],
  ['version 2', (message) => withByte(message, 0, 2), 'bad-version'],
  ['version 0', (message) => withByte(message, 0, 0), 'bad-version'],
];

describe('crypto handshake', () => {
  describe('success', () => {
    it('derives mirrored keys and one session id on both sides', () => {
      const run = runHandshake(alice, bob, { initiator: { expectedPeerKey: bob.publicKey } });
      assert.ok(equalBytes(run.initiator.sendKey, run.responder.receiveKey));
      assert.ok(equalBytes(run.initiator.receiveKey, run.responder.sendKey));
      assert.ok(!equalBytes(run.initiator.sendKey, run.initiator.receiveKey));
      assert.ok(equalBytes(run.initiator.sessionId, run.responder.sessionId));
      assert.equal(run.initiator.sessionId.length, 16);
      assert.equal(run.initiator.sendKey.length, 32);
      assert.ok(equalBytes(run.initiator.peerPublicKey, bob.publicKey));
      assert.ok(equalBytes(run.responder.peerPublicKey, alice.publicKey));
      assert.equal(run.initiator.peerId, peerIdFromPublicKey(bob.publicKey));
      assert.equal(run.responder.peerId, peerIdFromPublicKey(alice.publicKey));
      assert.deepEqual([run.hello.length, run.reply.length, run.finish.length], [66, 130, 66]);
    });

    it('tells the responder who is calling as soon as the hello arrives', () => {
      const hello = new HandshakeInitiator(alice).start();
      const replied = new HandshakeResponder(bob).receiveHello(hello);
      assert.ok(replied.ok);
      assert.ok(equalBytes(replied.peerPublicKey, alice.publicKey));
      assert.equal(replied.peerId, peerIdFromPublicKey(alice.publicKey));
    });

    it('uses fresh ephemerals, so every session has its own keys', () => {
      const first = runHandshake(alice, bob);
      const second = runHandshake(alice, bob);
      assert.ok(!equalBytes(first.hello, second.hello));
      assert.ok(!equalBytes(first.initiator.sessionId, second.initiator.sessionId));
      assert.ok(!equalBytes(first.initiator.sendKey, second.initiator.sendKey));
    });

    it('gives keys that seal in one direction and open in the other', () => {
      const run = runHandshake(alice, bob);
      const opener = new Opener();
      opener.addKey(1, run.responder.receiveKey);
      const opened = opener.open(new Sealer(run.initiator.sendKey, 1).seal(utf8('hi bob')));
      assert.ok(opened.ok);
      assert.deepEqual(opened.plaintext, utf8('hi bob'));
    });

    it('leaves an injected random source untouched', () => {
      const random = fixedRandom(0x42);
      const first = runHandshake(alice, bob, { initiator: { random }, responderRandom: random });
      const again = runHandshake(alice, bob, { initiator: { random }, responderRandom: random });
      assert.ok(equalBytes(first.initiator.sessionId, again.initiator.sessionId));
    });
  });

  describe('responder rejects', () => {
    const hello = new HandshakeInitiator(alice, { random: fixedRandom(1) }).start();

    for (const [label, damage, reason] of FRAME_DEFECTS) {
      it(`a hello that is ${label} (${reason})`, () => {
        const result = new HandshakeResponder(bob).receiveHello(damage(hello));
        assert.deepEqual(result, { ok: false, reason });
      });
    }

    it('a hello carrying its own identity key (reflected)', () => {
      const reflected = new HandshakeInitiator(bob).start();
      assert.deepEqual(new HandshakeResponder(bob).receiveHello(reflected), {
        ok: false,
        reason: 'reflected',
      });
    });

    it('a hello with a low-order ephemeral key (weak-key)', () => {
      for (const point of LOW_ORDER_POINTS) {
        const weak = concatBytes(Uint8Array.of(1, 1), alice.publicKey, point);
        assert.deepEqual(new HandshakeResponder(bob).receiveHello(weak), {
          ok: false,
          reason: 'weak-key',
        });
      }
    });

    function replied(): { responder: HandshakeResponder; finish: Uint8Array } {
      const initiator = new HandshakeInitiator(alice);
      const responder = new HandshakeResponder(bob);
      const reply = responder.receiveHello(initiator.start());
      assert.ok(reply.ok);
      const answer = initiator.receiveReply(reply.reply);
      assert.ok(answer.ok);
      return { responder, finish: answer.finish };
    }

    for (const [label, damage, reason] of FRAME_DEFECTS) {
      it(`a finish that is ${label} (${reason})`, () => {
        const { responder, finish } = replied();
        assert.deepEqual(responder.receiveFinish(damage(finish)), { ok: false, reason });
      });
    }

    it('a finish with a tampered signature (bad-signature)', () => {
      for (const index of [2, 33, 65]) {
        const { responder, finish } = replied();
        assert.deepEqual(responder.receiveFinish(flipped(finish, index)), {
          ok: false,
          reason: 'bad-signature',
        });
      }
    });

    it('a finish replayed from another session (bad-signature)', () => {
      const earlier = replied();
      const { responder } = replied();
      assert.deepEqual(responder.receiveFinish(earlier.finish), {
        ok: false,
        reason: 'bad-signature',
      });
    });

    it('a finish signed by someone other than the claimed initiator (bad-signature)', () => {
      const initiator = new HandshakeInitiator(alice);
      const responder = new HandshakeResponder(bob);
      const hello = initiator.start();
      const reply = responder.receiveHello(hello);
      assert.ok(reply.ok);
      const transcript = nacl.hash(concatBytes(utf8('meshcall/ake/v1'), hello, reply.reply));
      const forged = nacl.sign.detached(
        concatBytes(utf8('meshcall/ake/v1/initiator'), transcript),
        mallory.secretKey,
      );
      assert.deepEqual(responder.receiveFinish(concatBytes(Uint8Array.of(1, 3), forged)), {
        ok: false,
        reason: 'bad-signature',
      });
    });
  });

  describe('initiator rejects', () => {
    function started(options?: { expectedPeerKey?: Uint8Array }): {
      initiator: HandshakeInitiator;
      hello: Uint8Array;
      reply: Uint8Array;
    } {
      const initiator = new HandshakeInitiator(alice, options);
      const hello = initiator.start();
      const replied = new HandshakeResponder(bob).receiveHello(hello);
      assert.ok(replied.ok);
      return { initiator, hello, reply: replied.reply };
    }

    for (const [label, damage, reason] of FRAME_DEFECTS) {
      it(`a reply that is ${label} (${reason})`, () => {
        const { initiator, reply } = started();
        assert.deepEqual(initiator.receiveReply(damage(reply)), { ok: false, reason });
      });
    }

    it('a reply with a tampered signature (bad-signature)', () => {
      for (const index of [66, 100, 129]) {
        const { initiator, reply } = started();
        assert.deepEqual(initiator.receiveReply(flipped(reply, index)), {
          ok: false,
          reason: 'bad-signature',
        });
      }
    });

    it('a reply with a tampered ephemeral key (bad-signature)', () => {
      for (const index of [34, 50, 65]) {
        const { initiator, reply } = started();
        assert.deepEqual(initiator.receiveReply(flipped(reply, index)), {
          ok: false,
          reason: 'bad-signature',
        });
      }
    });

    it('a reply to a hello whose ephemeral key was changed in transit (bad-signature)', () => {
      const initiator = new HandshakeInitiator(alice);
      const hello = initiator.start();
      const replied = new HandshakeResponder(bob).receiveHello(flipped(hello, 40));
      assert.ok(replied.ok);
      assert.deepEqual(initiator.receiveReply(replied.reply), {
        ok: false,
        reason: 'bad-signature',
      });
    });

    it('a reply with a different identity from the one advertised (unexpected-key)', () => {
      const initiator = new HandshakeInitiator(alice, { expectedPeerKey: bob.publicKey });
      const replied = new HandshakeResponder(mallory).receiveHello(initiator.start());
      assert.ok(replied.ok);
      assert.deepEqual(initiator.receiveReply(replied.reply), {
        ok: false,
        reason: 'unexpected-key',
      });
    });

    it('a rogue claiming the advertised key but signing with its own (bad-signature)', () => {
      const initiator = new HandshakeInitiator(alice, { expectedPeerKey: bob.publicKey });
      const hello = initiator.start();
      const ephemeral = nacl.box.keyPair();
      const rogue = forgeReply(hello, bob.publicKey, ephemeral.publicKey, mallory);
      assert.deepEqual(initiator.receiveReply(rogue), { ok: false, reason: 'bad-signature' });
    });

    it('a reply carrying its own identity key (reflected)', () => {
      const initiator = new HandshakeInitiator(alice);
      const hello = initiator.start();
      const reflected = forgeReply(hello, alice.publicKey, nacl.box.keyPair().publicKey, alice);
      assert.deepEqual(initiator.receiveReply(reflected), { ok: false, reason: 'reflected' });
    });

    it('a correctly signed reply with a low-order ephemeral key (weak-key)', () => {
      for (const point of LOW_ORDER_POINTS) {
        const initiator = new HandshakeInitiator(alice, { expectedPeerKey: bob.publicKey });
        const hello = initiator.start();
        assert.deepEqual(initiator.receiveReply(forgeReply(hello, bob.publicKey, point, bob)), {
          ok: false,
          reason: 'weak-key',
        });
      }
    });

    it('accepts the hand-built reply of an honest responder (the forging helper is sound)', () => {
      const initiator = new HandshakeInitiator(alice, { expectedPeerKey: bob.publicKey });
      const hello = initiator.start();
      const ephemeral = nacl.box.keyPair();
      const result = initiator.receiveReply(
        forgeReply(hello, bob.publicKey, ephemeral.publicKey, bob),
      );
      assert.ok(result.ok);
    });
  });

  describe('misuse', () => {
    it('initiator calls out of order throw ERR_HANDSHAKE_STATE', () => {
      const reply = new Uint8Array(130);
      throwsMisuse(() => new HandshakeInitiator(alice).receiveReply(reply), 'ERR_HANDSHAKE_STATE');

      const twice = new HandshakeInitiator(alice);
      twice.start();
      throwsMisuse(() => twice.start(), 'ERR_HANDSHAKE_STATE');

      const done = new HandshakeInitiator(alice);
      const replied = new HandshakeResponder(bob).receiveHello(done.start());
      assert.ok(replied.ok);
      assert.ok(done.receiveReply(replied.reply).ok);
      throwsMisuse(() => done.receiveReply(replied.reply), 'ERR_HANDSHAKE_STATE');
      throwsMisuse(() => done.start(), 'ERR_HANDSHAKE_STATE');

      const failed = new HandshakeInitiator(alice);
      failed.start();
      assert.equal(failed.receiveReply(new Uint8Array(3)).ok, false);
      throwsMisuse(() => failed.receiveReply(replied.reply), 'ERR_HANDSHAKE_STATE');
    });

    it('responder calls out of order throw ERR_HANDSHAKE_STATE', () => {
      const finish = new Uint8Array(66);
      throwsMisuse(() => new HandshakeResponder(bob).receiveFinish(finish), 'ERR_HANDSHAKE_STATE');

      const hello = new HandshakeInitiator(alice).start();
      const twice = new HandshakeResponder(bob);
      assert.ok(twice.receiveHello(hello).ok);
      throwsMisuse(() => twice.receiveHello(hello), 'ERR_HANDSHAKE_STATE');

      const failedHello = new HandshakeResponder(bob);
      assert.equal(failedHello.receiveHello(new Uint8Array(2)).ok, false);
      throwsMisuse(() => failedHello.receiveHello(hello), 'ERR_HANDSHAKE_STATE');
      throwsMisuse(() => failedHello.receiveFinish(finish), 'ERR_HANDSHAKE_STATE');

      assert.equal(twice.receiveFinish(finish).ok, false);
      throwsMisuse(() => twice.receiveFinish(finish), 'ERR_HANDSHAKE_STATE');
    });

    it('refuses bad keys, bad randomness and non-byte input', () => {
      const short = { publicKey: new Uint8Array(31), secretKey: alice.secretKey };
      throwsMisuse(() => new HandshakeInitiator(short), 'ERR_KEY_LENGTH');
      throwsMisuse(() => new HandshakeResponder(short), 'ERR_KEY_LENGTH');
      const mismatched = { publicKey: bob.publicKey, secretKey: alice.secretKey };
      throwsMisuse(() => new HandshakeResponder(mismatched), 'ERR_BAD_ARGUMENT');
      throwsMisuse(
        () => new HandshakeInitiator(alice, { expectedPeerKey: new Uint8Array(16) }),
        'ERR_KEY_LENGTH',
      );
      const badRandom = new HandshakeInitiator(alice, { random: () => new Uint8Array(16) });
      throwsMisuse(() => badRandom.start(), 'ERR_BAD_ARGUMENT');
      const initiator = new HandshakeInitiator(alice);
      initiator.start();
      throwsMisuse(
        () => initiator.receiveReply([1, 2] as unknown as Uint8Array),
        'ERR_BAD_ARGUMENT',
      );
    });
  });
});
