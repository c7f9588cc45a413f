import assert from 'node:assert/strict';
import type { Call } from '../../p2p/call/call.js';
import type { StubLink } from '../helpers/stub-call.js';
import { ada, bob, callEvents, cy, linkTo, makeCall, session } from '../helpers/stub-call.js';

describe('Call with stub links', () => {
  const calls: Call[] = [];

  afterEach(async () => {
    await Promise.all(calls.splice(0).map((call) => call.close()));
  });

  function track<T extends { call: Call }>(made: T): T {
    calls.push(made.call);
    return made;
  }

  it('a replacement waits aside while the old link is open, then takes over (make before break)', () => {
    const { call, made } = track(makeCall(ada));
    call.addMember(bob);
    const joined = callEvents.record(call, 'member-joined');
    linkTo(call, bob.id, 0);
    made[0]?.open();
    assert.equal(joined.length, 1);
    assert.equal(call.member(bob.id)?.state, 'connected');

    linkTo(call, bob.id, 1);
    const [first, second] = made;
    assert.ok(first && second);
    assert.equal(first.state, 'open', 'the old link keeps carrying until the new one is up');
    call.sendChat('over the old link');
    assert.equal(first.sent.filter((m) => m.t === 'chat').length, 1);
    assert.equal(second.sent.length, 0);

    second.open();
    assert.equal(first.state, 'closed', 'the old link is closed once the new one opened');
    call.sendChat('over the new link');
    assert.equal(second.sent.filter((m) => m.t === 'chat').length, 1);
    assert.equal(joined.length, 1, 'a hand-over is not a new member');
    assert.equal(call.member(bob.id)?.state, 'connected');
  });

  it('a link that never opened is closed when the call makes another', () => {
    const { call, made } = track(makeCall(ada));
    call.addMember(bob);
    linkTo(call, bob.id, 0);
    linkTo(call, bob.id, 1);
    assert.equal(made[0]?.state, 'closed');
    assert.equal(made[1]?.state, 'connecting');
    assert.equal(call.needsLink(bob.id), true);
  });

  it('a silent member shows as reconnecting, asks for a new link, then is removed as lost', async () => {
    const timings = { quietMs: 60, goneMs: 250, checkMs: 20 };
    const { call, made } = track(makeCall(ada, { timings }));
    call.addMember(bob);
    linkTo(call, bob.id, 0);
    const states = callEvents.record(call, 'member-state');
    const lost = callEvents.next(call, 'link-lost', 2000);
    const left = callEvents.next(call, 'member-left', 2000);
    const empty = callEvents.next(call, 'empty', 2000);
    made[0]?.open();
    assert.deepEqual(await lost, [bob.id]);
    const [view, reason] = await left;
    assert.equal(view.id, bob.id);
    assert.equal(reason, 'lost');
    await empty;
    assert.deepEqual(
      states.map(([state]) => state.state),
      ['reconnecting'],
    );
    assert.equal(made[0]?.state, 'closed');
    assert.equal(call.hasLeft(bob.id), true);
  });

  it('two calls on paired links exchange chat and video; closing cascades to links and receivers', async () => {
    const a = track(makeCall(ada, { id: 'c'.repeat(32) }));
    const b = track(makeCall(bob, { id: 'c'.repeat(32) }));
    a.call.addMember(bob);
    b.call.addMember(ada);
    a.call.addMember(cy);
    const ab = linkTo(a.call, bob.id, 0);
    const ba = linkTo(b.call, ada.id, 0);
    const ac = linkTo(a.call, cy.id, 0);
    const [abStub, baStub, acStub] = [a.made[0], b.made[0], a.made[1]];
    assert.ok(abStub && baStub && acStub);
    assert.equal(ab, abStub);
    assert.equal(ba, baStub);
    assert.equal(ac, acStub);
    abStub.peer = baStub;
    baStub.peer = abStub;
    abStub.open();
    baStub.open();
    acStub.open();

    const chat = callEvents.next(b.call, 'chat', 2000);
    a.call.sendChat('hello Bob');
    assert.equal((await chat)[0].text, 'hello Bob');

    // Frames open only with Ada's current media key, which reaches Bob on the control channel.
    const frame = callEvents.next(b.call, 'frame', 2000);
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    a.call.sendFrame({ frameNumber: 1, captureTs: Date.now(), width: 2, height: 2, jpeg });
    const [received] = await frame;
    assert.equal(received.from, ada.id);
    assert.deepEqual([...received.data], [...jpeg]);
    assert.ok(b.call.latestFrame(ada.id));

    await a.call.close();
    assert.equal(a.call.closed, true);
    assert.equal(abStub.state, 'closed');
    assert.equal(acStub.state, 'closed');
    assert.equal(abStub.hungUp && acStub.hungUp, true, 'every member got a bye');
    assert.equal(abStub.listenerCount('media'), 0, 'no receiver listens any more');
    assert.equal(a.call.latestFrame(bob.id), null);

    // Bob's side: closing drops what its receiver held.
    await b.call.close();
    assert.equal(b.call.latestFrame(ada.id), null);
    assert.equal(baStub.state, 'closed');
  });

  /** Two calls linked on link 0 (paired and open on both sides). */
  function pairedCalls(): {
    a: ReturnType<typeof makeCall>;
    b: ReturnType<typeof makeCall>;
    ab: StubLink;
    ba: StubLink;
  } {
    const a = track(makeCall(ada, { id: 'c'.repeat(32) }));
    const b = track(makeCall(bob, { id: 'c'.repeat(32) }));
    a.call.addMember(bob);
    b.call.addMember(ada);
    linkTo(a.call, bob.id, 0);
    linkTo(b.call, ada.id, 0);
    const [ab, ba] = [a.made[0], b.made[0]];
    assert.ok(ab && ba);
    ab.peer = ba;
    ba.peer = ab;
    ab.open();
    ba.open();
    return { a, b, ab, ba };
  }

  it('reads control messages on a replacement link that opened on the other side first', async () => {
    const { a, b, ab, ba } = pairedCalls();
    // Bob's replacement link is still coming up on his side; Ada's end of it is open.
    linkTo(b.call, ada.id, 1);
    const replacement = b.made[1];
    assert.ok(replacement);
    assert.equal(replacement.state, 'connecting');
    ab.peer = null;
    a.call.sendChat('sent on the new link');
    const wire = ab.sent.find((m) => m.t === 'chat');
    assert.ok(wire);
    const chat = callEvents.next(b.call, 'chat', 2000);
    replacement.deliverEarly(wire);
    assert.equal((await chat)[0].text, 'sent on the new link');
    assert.equal(ba.state, 'open');
  });

  it('a message sent on a link the other side already replaced arrives once the new link is up', async () => {
    const { a, b, ab, ba } = pairedCalls();
    // Ada's end of the new link opens first: she closes the old one. Bob does not know yet
    // and writes on the old link: it is lost on the way.
    linkTo(a.call, bob.id, 1);
    linkTo(b.call, ada.id, 1);
    const [ab1, ba1] = [a.made[1], b.made[1]];
    assert.ok(ab1 && ba1);
    ab1.peer = ba1;
    ba1.peer = ab1;
    ab1.open();
    assert.equal(ab.state, 'closed');
    b.call.sendChat('written on the old link');
    assert.equal(ba.sent.filter((m) => m.t === 'chat').length, 1);
    // Ada's chat-have crossed while Bob's end was not up yet; now Bob's end opens.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const chat = callEvents.next(a.call, 'chat', 2000);
    ba1.open();
    assert.equal((await chat)[0].text, 'written on the old link');
  });

  it('after close() every public method is a harmless no-op', async () => {
    const { call, made } = track(makeCall(ada));
    call.addMember(bob);
    linkTo(call, bob.id, 0);
    made[0]?.open();
    await call.close();
    assert.equal(call.closed, true);
    const events = (['member-joined', 'member-left', 'member-state', 'chat', 'empty'] as const).map(
      (name) => callEvents.record(call, name),
    );

    call.addMember(cy);
    assert.equal(call.openLink({ peerId: bob.id, session, offerer: true, linkNumber: 1 }), null);
    assert.equal(made.length, 1, 'no link is made for a closed call');
    call.removeMember(bob.id, 'lost');
    call.noteBye(bob.id);
    assert.equal(call.sendChat('anyone?'), null);
    call.sendFrame({ frameNumber: 1, captureTs: 0, width: 1, height: 1, jpeg: new Uint8Array(4) });
    call.announceVideo(false);
    assert.equal(call.needsLink(bob.id), false);
    assert.equal(call.latestFrame(bob.id), null);
    assert.deepEqual(call.members(), []);
    assert.deepEqual(call.mediaStats().members, []);
    assert.deepEqual(call.history(), []);
    await call.close();
    assert.deepEqual(
      events.map((seen) => seen.length),
      [0, 0, 0, 0, 0],
    );
  });
});
