import assert from 'node:assert/strict';
import { OwnMediaKey, PeerMediaKeys } from '../../p2p/media/keys.js';
import type { VoiceLink } from '../../p2p/media/voice-sender.js';
import { VoiceSender } from '../../p2p/media/voice-sender.js';
import type { ReceivedVoice } from '../../p2p/media/voice-receiver.js';
import { VoiceReceiver } from '../../p2p/media/voice-receiver.js';
import { encodeVoicePacket } from '../../protocol/audio/voice-packet.js';

const T0 = 1_800_000_000_000;
const opus = (n: number): Uint8Array => new Uint8Array([0xf8, n & 0xff, 1, 2, 3]);

/** A link that keeps what the sender gave it. */
class Wire implements VoiceLink {
  state = 'open';
  readonly packets: Uint8Array[] = [];
  sendVoice(packet: Uint8Array): boolean {
    this.packets.push(packet);
    return true;
  }
}

function setup(offset: number | null = 0): {
  key: OwnMediaKey;
  sender: VoiceSender;
  keys: PeerMediaKeys;
  receiver: VoiceReceiver;
  wire: Wire;
  send: (n: number) => Uint8Array;
} {
  const key = new OwnMediaKey();
  const sender = new VoiceSender(key);
  const keys = new PeerMediaKeys();
  keys.add(key.announcement());
  const receiver = new VoiceReceiver('ada', keys, () => offset);
  const wire = new Wire();
  const send = (n: number): Uint8Array => {
    sender.send(
      {
        voice: true,
        level: 20,
        position: n * 960,
        samples: 960,
        captureTs: T0 + n * 20,
        opus: opus(n),
      },
      [wire],
      T0 + n * 20,
    );
    const last = wire.packets.at(-1);
    assert.ok(last);
    return last;
  };
  return { key, sender, keys, receiver, wire, send };
}

describe('voice on the wire: sealed packets', () => {
  it('round trip: seq assigned by the sender, header and Opus intact, captureTs on our clock', () => {
    const { receiver, send } = setup(250);
    const got: ReceivedVoice[] = [];
    for (let n = 0; n < 3; n++) {
      const voice = receiver.push(send(n), T0 + n * 20 + 5);
      assert.ok(voice);
      got.push(voice);
    }
    assert.deepEqual(
      got.map((v) => v.header.seq),
      [0, 1, 2],
    );
    const first = got[0];
    assert.ok(first);
    assert.equal(first.from, 'ada');
    // The peer's clock is 250 ms ahead of ours: its capture time is 250 ms earlier here.
    assert.equal(first.header.captureTs, T0 - 250);
    assert.deepEqual(
      { ...first.header, captureTs: 0 },
      {
        voice: true,
        level: 20,
        seq: 0,
        position: 0,
        samples: 960,
        captureTs: 0,
      },
    );
    assert.deepEqual([...first.opus], [...opus(0)]);
    assert.equal(receiver.stats(T0 + 50).packets, 3);
    assert.equal(receiver.stats(T0 + 50).rejected, 0);
  });

  it('rejects forged, replayed, wrong-key, truncated and malformed packets, counts them, changes nothing else', () => {
    const { receiver, send, key } = setup();
    const good = send(0);
    assert.ok(receiver.push(good, T0));
    const before = receiver.stats(T0 + 1);

    const forged = send(1).slice();
    forged[forged.length - 3] = (forged[forged.length - 3] ?? 0) ^ 1;
    const truncated = send(2).subarray(0, 20);
    const stranger = setup().send(3); // sealed with another member's key
    // Sealed correctly with the right key, but no voice packet inside.
    const malformed = key.seal(new Uint8Array([9, 9, 9]));
    const badField = key.seal(
      (() => {
        const bytes = encodeVoicePacket(
          { voice: false, level: 1, seq: 9, position: 0, samples: 960, captureTs: T0 },
          opus(9),
        );
        bytes[1] = 0x80; // a reserved flag bit
        return bytes;
      })(),
    );
    for (const bad of [forged, good, truncated, stranger, malformed, badField, new Uint8Array()]) {
      assert.equal(receiver.push(bad, T0 + 2), null);
    }
    const after = receiver.stats(T0 + 3);
    assert.equal(after.rejected, 7);
    assert.equal(after.packets, before.packets);
    assert.equal(after.level, before.level);
    // A good packet after all of that still opens.
    assert.ok(receiver.push(send(4), T0 + 4));
    assert.equal(receiver.stats(T0 + 5).packets, before.packets + 1);
  });

  it('one opener per member: what voice opened, the video side (same keys) refuses as a replay', () => {
    const { receiver, send, keys } = setup();
    const packet = send(0);
    assert.ok(receiver.push(packet, T0));
    assert.equal(keys.opener.open(packet).ok, false);
    assert.equal(receiver.push(packet, T0), null);
  });

  it('after a key rotation, packets open once the new key is announced', () => {
    const { receiver, send, keys, key } = setup();
    const next = key.rotate();
    assert.equal(receiver.push(send(0), T0), null);
    keys.add(next);
    assert.ok(receiver.push(send(1), T0 + 20));
  });

  it('muted: sends nothing and assigns no sequence numbers; stats say so', () => {
    const { sender, wire, send, receiver } = setup();
    send(0);
    sender.muted = true;
    sender.send(
      { voice: true, level: 0, position: 960, samples: 960, captureTs: T0, opus: opus(1) },
      [wire],
    );
    assert.equal(wire.packets.length, 1);
    assert.deepEqual(
      { packets: sender.stats(T0 + 10).packets, muted: sender.stats(T0 + 10).muted },
      { packets: 1, muted: true },
    );
    sender.muted = false;
    const after = receiver.push(send(5), T0 + 100);
    assert.equal(after?.header.seq, 1, 'no seq was spent while muted');
    assert.ok(sender.stats(T0 + 100).kbps > 0);
  });

  it('offers each packet to every open link, sealed once; closed links get nothing', () => {
    const key = new OwnMediaKey();
    const sender = new VoiceSender(key);
    const [a, b, c] = [new Wire(), new Wire(), new Wire()];
    c.state = 'closed';
    sender.send(
      { voice: false, level: 127, position: 0, samples: 960, captureTs: T0, opus: opus(0) },
      [a, b, c],
    );
    assert.equal(a.packets.length, 1);
    assert.equal(a.packets[0], b.packets[0], 'the same sealed bytes');
    assert.equal(c.packets.length, 0);
  });

  it('level and speaking follow the packets and fall silent when they stop', () => {
    const { receiver, send } = setup();
    for (let n = 0; n < 5; n++) receiver.push(send(n), T0 + n * 20);
    const talking = receiver.stats(T0 + 90);
    assert.equal(talking.level, -20);
    assert.equal(talking.speaking, true);
    const later = receiver.stats(T0 + 5000);
    assert.equal(later.level, -127);
    assert.equal(later.speaking, false);
  });
});
