import assert from 'node:assert/strict';
import { silentLogger } from '../../p2p/base/logger.js';
import type { Call } from '../../p2p/call/call.js';
import type { CallMediaEvents } from '../../p2p/call/call-media.js';
import { CallMedia } from '../../p2p/call/call-media.js';
import { OwnMediaKey } from '../../p2p/media/keys.js';
import type { OutgoingVoice } from '../../p2p/media/voice-sender.js';
import { VoiceSender } from '../../p2p/media/voice-sender.js';
import { statsEvent } from '../../main/call-stats.js';
import { sessionEventSchema } from '../../protocol/api.js';
import { eventsOf } from '../helpers/events.js';
import { ada, bob, callEvents, linkTo, makeCall } from '../helpers/stub-call.js';
import type { StubLink } from '../helpers/stub-call.js';
import { waitUntil } from '../helpers/wait.js';

const mediaEvents = eventsOf<CallMediaEvents>();

function packet(n: number, captureTs = Date.now()): OutgoingVoice {
  return {
    voice: true,
    level: 18,
    position: n * 960,
    samples: 960,
    captureTs,
    opus: new Uint8Array([0xf8, n & 0xff, 7]),
  };
}

describe('voice in a call', () => {
  const calls: Call[] = [];
  afterEach(async () => {
    await Promise.all(calls.splice(0).map((call) => call.close()));
  });

  /** Ada and Bob in one call over paired stub links, both links open. */
  function pairUp(): { a: Call; b: Call; ab: StubLink; ba: StubLink } {
    const a = makeCall(ada, { id: 'c'.repeat(32) });
    const b = makeCall(bob, { id: 'c'.repeat(32) });
    calls.push(a.call, b.call);
    a.call.addMember(bob);
    b.call.addMember(ada);
    linkTo(a.call, bob.id, 0);
    linkTo(b.call, ada.id, 0);
    const [ab, ba] = [a.made[0], b.made[0]];
    assert.ok(ab && ba);
    ab.peer = ba;
    ba.peer = ab;
    return { a: a.call, b: b.call, ab, ba };
  }

  it('mute-state: told on every link open and on change, never twice; muted sends no voice', async () => {
    const { a, b, ab, ba } = pairUp();
    const states = callEvents.record(b, 'mute-state');
    a.setMuted(true); // before the link is open: told when it opens
    ab.open();
    ba.open();
    await waitUntil(() => states.length >= 1, { timeoutMs: 2000, message: 'mute-state' });
    assert.deepEqual(states[0]?.[0], { peer: ada.id, muted: true });
    assert.equal(a.muted, true);

    const voices = callEvents.record(b, 'voice');
    a.sendVoice(packet(0));
    a.setMuted(true); // no change: nothing sent
    a.setMuted(false);
    a.sendVoice(packet(1));
    await callEvents.next(b, 'voice', 2000);
    assert.deepEqual(
      states.map(([s]) => s.muted),
      [true, false],
    );
    assert.equal(voices.length, 1, 'the packet sent while muted never left');
    assert.equal(voices[0]?.[0].header.seq, 0);
    assert.equal(a.mediaStats().sending.audio.packets, 1);
  });

  it('voice flows, plays out, and shows in the stats event as the API schema wants it', async () => {
    const { a, b, ab, ba } = pairUp();
    ab.open();
    ba.open();
    await callEvents.next(b, 'mute-state', 2000); // Ada's key went before it
    const playout = callEvents.record(b, 'voice-playout');
    const start = Date.now();
    for (let n = 0; n < 5; n++) a.sendVoice(packet(n, start + n * 20));
    await waitUntil(() => playout.some(([f]) => f.slot.kind === 'packet'), {
      timeoutMs: 3000,
      message: 'a packet played out',
    });
    const ats = playout.map(([frame]) => frame.at);
    for (let i = 1; i < ats.length; i++) {
      // Deadlines are start + n · 20 ms: exact up to float rounding, no drift.
      assert.ok(Math.abs(ats[i]! - ats[i - 1]! - 20) < 0.01, 'one tick per 20 ms');
    }
    assert.ok(playout.every(([frame]) => frame.from === ada.id));

    const event = statsEvent(b);
    const parsed = sessionEventSchema.parse({ event: 'stats', ...event });
    assert.equal(parsed.event, 'stats');
    const audio = event.members[0]?.audio;
    assert.ok(audio);
    assert.equal(audio.packets, 5);
    assert.equal(audio.level, -18);
    assert.equal(audio.speaking, true);
    assert.ok(audio.delayP50Ms !== null && audio.delayP50Ms >= 0);
    const sent = statsEvent(a).sending.audio;
    assert.deepEqual({ packets: sent.packets, muted: sent.muted }, { packets: 5, muted: false });
  });
});

describe('CallMedia voice playout clock', () => {
  function media(): { media: CallMedia; send: (n: number) => void } {
    const key = new OwnMediaKey();
    const sender = new VoiceSender(key);
    const callMedia = new CallMedia(silentLogger);
    callMedia.receive('ada', { link: null });
    callMedia.handle('ada', { t: 'media-key', ...key.announcement() });
    const wire = {
      state: 'open',
      sendVoice: (sealed: Uint8Array) => {
        callMedia.pushVoice('ada', sealed);
        return true;
      },
    };
    return { media: callMedia, send: (n) => sender.send(packet(n), [wire]) };
  }

  it('does not run without voice, starts with the first packet, stops when voice stops', async () => {
    const { media: m, send } = media();
    try {
      m.push('ada', new Uint8Array([1, 2, 3])); // video-only traffic starts nothing
      assert.equal(m.playing, false);
      send(0);
      assert.equal(m.playing, true);
      await mediaEvents.next(m, 'voice-playout', 1000);
      await waitUntil(() => !m.playing, { timeoutMs: 5000, message: 'clock stopped when idle' });
      const ticks = mediaEvents.record(m, 'voice-playout');
      send(1);
      assert.equal(m.playing, true, 'restarts with the next packet');
      await waitUntil(() => ticks.length > 0, { timeoutMs: 1000, message: 'ticks again' });
    } finally {
      m.close();
    }
  });

  it('close() stops the clock and is idempotent; nothing starts it again', () => {
    const { media: m, send } = media();
    send(0);
    assert.equal(m.playing, true);
    m.close();
    m.close();
    assert.equal(m.playing, false);
    send(1);
    assert.equal(m.playing, false);
  });
});
