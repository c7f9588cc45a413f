import assert from 'node:assert/strict';
import {
  HandshakeCookies,
  HandshakeInitiator,
  HandshakeResponder,
  equalBytes,
  isCookieMessage,
} from '../../crypto/index.js';
import { TokenBucket } from '../../p2p/base/token-bucket.js';
import { HandshakeGate, type HandshakeLimits } from '../../p2p/signaling/handshake-gate.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';

const alice = seededIdentity(0xa1);
const bob = seededIdentity(0xb0);
const HOST_A = '10.0.0.1';
const HOST_B = '10.0.0.2';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function freshHello(): Uint8Array {
  return new HandshakeInitiator(alice).start();
}

/** A hello that echoes the cookie `message` carries, as a real initiator builds it. */
function helloEchoing(message: Uint8Array): Uint8Array {
  const initiator = new HandshakeInitiator(alice);
  initiator.start();
  const answered = initiator.receiveCookie(message);
  assert.ok(answered.ok);
  return answered.hello;
}

describe('handshake cookies (crypto)', () => {
  it('a full exchange through a cookie round trip yields matching keys', () => {
    const clock = manualClock();
    const cookies = new HandshakeCookies({ now: clock.now });
    const initiator = new HandshakeInitiator(alice, { expectedPeerKey: bob.publicKey });
    const first = initiator.start();
    assert.equal(cookies.helloHasValidCookie(HOST_A, first), false);
    const cookieMessage = cookies.cookieMessage(HOST_A);
    assert.ok(isCookieMessage(cookieMessage));
    const retried = initiator.receiveCookie(cookieMessage);
    assert.ok(retried.ok);
    assert.equal(retried.hello.length, first.length + 16);
    assert.ok(cookies.helloHasValidCookie(HOST_A, retried.hello));

    const responder = new HandshakeResponder(bob);
    const reply = responder.receiveHello(retried.hello);
    assert.ok(reply.ok);
    const finish = initiator.receiveReply(reply.reply);
    assert.ok(finish.ok);
    const done = responder.receiveFinish(finish.finish);
    assert.ok(done.ok);
    assert.ok(equalBytes(finish.session.sendKey, done.session.receiveKey));
    assert.ok(equalBytes(finish.session.sessionId, done.session.sessionId));
  });

  it('a cookie is bound to its source address and to a secret that rotates away', () => {
    const clock = manualClock();
    const cookies = new HandshakeCookies({ now: clock.now, rotateMs: 1000 });
    const hello = helloEchoing(cookies.cookieMessage(HOST_A));
    assert.ok(cookies.helloHasValidCookie(HOST_A, hello));
    assert.equal(cookies.helloHasValidCookie(HOST_B, hello), false, 'another address');
    clock.advance(1500);
    assert.ok(cookies.helloHasValidCookie(HOST_A, hello), 'the previous secret still counts');
    clock.advance(1000);
    assert.equal(cookies.helloHasValidCookie(HOST_A, hello), false, 'two rotations later');
    const tampered = hello.slice();
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    assert.equal(cookies.helloHasValidCookie(HOST_A, tampered), false);
  });

  it('an initiator takes one cookie per exchange and refuses a second', () => {
    const cookies = new HandshakeCookies({ now: Date.now });
    const initiator = new HandshakeInitiator(alice);
    initiator.start();
    assert.ok(initiator.receiveCookie(cookies.cookieMessage(HOST_A)).ok);
    assert.deepEqual(initiator.receiveCookie(cookies.cookieMessage(HOST_A)), {
      ok: false,
      reason: 'repeated-cookie',
    });
    const malformed = new HandshakeInitiator(alice);
    malformed.start();
    assert.deepEqual(malformed.receiveCookie(Uint8Array.of(1, 4, 0)), {
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('handshake gate', () => {
  const tight: Partial<HandshakeLimits> = {
    perSource: { burst: 4, perSecond: 1 },
    global: { burst: 6, perSecond: 2 },
    load: { burst: 3, perSecond: 1 },
  };

  it('answers a few hellos at once, then asks for cookies and honours a valid one', () => {
    const clock = manualClock();
    const gate = new HandshakeGate(tight, clock.now);
    for (let i = 0; i < 3; i++) assert.equal(gate.admit(HOST_A, freshHello()).verdict, 'proceed');
    const asked = gate.admit(HOST_A, freshHello());
    assert.ok(asked.verdict === 'cookie', 'under load a plain hello gets a cookie');
    const echoed = helloEchoing(asked.message);
    assert.equal(gate.admit(HOST_B, echoed).verdict, 'cookie', 'from another address');
    assert.equal(gate.admit(HOST_A, echoed).verdict, 'proceed');
    assert.deepEqual(gate.admit(HOST_A, echoed), { verdict: 'rate-limited' }, 'budget spent');
    clock.advance(1000);
    assert.equal(gate.admit(HOST_A, echoed).verdict, 'proceed');
    assert.deepEqual(gate.stats, { hellos: 8, answered: 5, cookied: 2, rateLimited: 1, busy: 0 });
  });

  it('refuses everyone once the node-wide budget is spent, and recovers with time', () => {
    const clock = manualClock();
    const gate = new HandshakeGate({ ...tight, load: { burst: 100, perSecond: 100 } }, clock.now);
    const sources = Array.from({ length: 8 }, (_, i) => `10.0.1.${i}`);
    const verdicts = sources.map((source) => gate.admit(source, freshHello()).verdict);
    assert.deepEqual(verdicts, [...Array<string>(6).fill('proceed'), 'busy', 'busy']);
    clock.advance(1000);
    assert.equal(gate.admit('10.0.2.1', freshHello()).verdict, 'proceed');
    assert.equal(gate.stats.busy, 2);
  });

  it('drops connections on accept only from an address whose budget is spent', () => {
    const clock = manualClock();
    const gate = new HandshakeGate({ ...tight, load: { burst: 100, perSecond: 100 } }, clock.now);
    assert.equal(gate.refuseOnAccept(HOST_A), false, 'an unknown address');
    for (let i = 0; i < 4; i++)
      assert.equal(
        gate.refuseOnAccept(HOST_A) || gate.admit(HOST_A, freshHello()).verdict,
        'proceed',
      );
    assert.equal(gate.refuseOnAccept(HOST_A), true);
    assert.equal(gate.refuseOnAccept(HOST_B), false);
    clock.advance(1000);
    assert.equal(gate.refuseOnAccept(HOST_A), false, 'refilled');
    assert.equal(gate.stats.rateLimited, 1);
  });

  it('forgets the least recently seen address past maxSources', () => {
    const clock = manualClock();
    const gate = new HandshakeGate(
      { ...tight, load: { burst: 100, perSecond: 100 }, maxSources: 2 },
      clock.now,
    );
    for (let i = 0; i < 4; i++) gate.admit(HOST_A, freshHello());
    assert.equal(gate.admit(HOST_A, freshHello()).verdict, 'rate-limited');
    gate.admit(HOST_B, freshHello());
    gate.admit('10.0.0.3', freshHello());
    // HOST_A's spent bucket was dropped; its next hello starts a fresh one.
    clock.advance(1000);
    assert.notEqual(gate.admit(HOST_A, freshHello()).verdict, 'rate-limited');
  });
});

describe('token bucket', () => {
  it('allows a burst, then the refill rate, never more than the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, clock.now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take()),
      [true, true, true, false],
    );
    clock.advance(500);
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
    clock.advance(60_000);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take()),
      [true, true, true, false],
    );
    assert.throws(() => new TokenBucket({ burst: 0, perSecond: 1 }), RangeError);
  });
});
