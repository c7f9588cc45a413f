/** The watch party's page logic under Node: drift correction, the party state, subtitles. */
import assert from 'node:assert/strict';
import { loadRenderer } from './load-renderer.js';

type DriftAction =
  { kind: 'none' } | { kind: 'rate'; rate: number } | { kind: 'seek'; to: number; rate: number };

interface PartyModule {
  DriftCorrector: new () => {
    update(actual: number, expected: number, rate: number, nowMs: number): DriftAction;
    reset(nowMs: number, settleMs?: number): void;
  };
  START_S: number;
  STOP_S: number;
  SEEK_S: number;
  MAX_NUDGE: number;
  SEEK_SETTLE_MS: number;
  expectedPosition: (state: PartyStateLike, wallMs: number) => number;
  reduceParty: (party: PartyViewLike, event: Record<string, unknown>) => PartyViewLike;
  NO_PARTY: PartyViewLike;
  parseSubtitles: (
    text: string,
  ) =>
    | { ok: true; cues: { start: number; end: number; text: string }[] }
    | { ok: false; reason: string };
  formatClock: (seconds: number) => string;
}

interface PartyStateLike {
  event: 'party-state';
  party: string;
  paused: boolean;
  position: number;
  sampledAt: number;
  rate: number;
  duration: number;
}

interface PartyViewLike {
  state: PartyStateLike | null;
  preparing: number | null;
  have: number;
  total: number;
  complete: boolean;
}

const P1 = 'a'.repeat(32);
const P2 = 'b'.repeat(32);

function partyState(over: Partial<PartyStateLike> = {}): PartyStateLike & Record<string, unknown> {
  return {
    event: 'party-state',
    party: P1,
    epoch: 0,
    streamer: 'c'.repeat(32),
    title: 'film.mp4',
    duration: 100,
    paused: false,
    position: 10,
    sampledAt: 1_000_000,
    rate: 1,
    updatedBy: 'c'.repeat(32),
    ...over,
  };
}

describe('watch party page logic', () => {
  let ui: PartyModule;
  before(async () => {
    ui = await loadRenderer<PartyModule>({
      'party/drift.ts': [
        'DriftCorrector',
        'START_S',
        'STOP_S',
        'SEEK_S',
        'MAX_NUDGE',
        'SEEK_SETTLE_MS',
      ],
      'state/party.ts': ['expectedPosition', 'reduceParty', 'NO_PARTY'],
      '../protocol/subtitles.ts': ['parseSubtitles', 'buildWebVtt'],
      'lib/format.ts': ['formatClock'],
    });
  });

  describe('DriftCorrector', () => {
    it('leaves small errors alone, nudges the rate for middling ones, seeks for large ones', () => {
      const drift = new ui.DriftCorrector();
      assert.deepEqual(drift.update(10.02, 10, 1, 0), { kind: 'none' });
      const ahead = drift.update(10.2, 10, 1, 10);
      assert.equal(ahead.kind, 'rate');
      assert.ok(ahead.kind === 'rate' && ahead.rate < 1 && ahead.rate >= 1 - ui.MAX_NUDGE);
      const behind = new ui.DriftCorrector().update(9.8, 10, 1.5, 0);
      assert.ok(
        behind.kind === 'rate' && behind.rate > 1.5 && behind.rate <= 1.5 * (1 + ui.MAX_NUDGE),
      );
      const far = new ui.DriftCorrector().update(30, 10, 1, 0);
      assert.equal(far.kind, 'seek');
      assert.ok(far.kind === 'seek' && far.to >= 10 && far.to < 10.2 && far.rate === 1);
    });

    it('has hysteresis: a correction runs until the error is under STOP_S, then restores the rate', () => {
      const drift = new ui.DriftCorrector();
      assert.equal(drift.update(10 + ui.START_S * 2, 10, 1, 0).kind, 'rate');
      // Under START_S but not under STOP_S: still correcting.
      const still = drift.update(10 + (ui.START_S + ui.STOP_S) / 2, 10, 1, 10);
      assert.ok(still.kind === 'rate' && still.rate < 1);
      assert.deepEqual(drift.update(10 + ui.STOP_S / 2, 10, 1, 20), { kind: 'rate', rate: 1 });
      // Back in the dead band: nothing, not even for an error just under START_S.
      assert.deepEqual(drift.update(10 + ui.START_S * 0.9, 10, 1, 30), { kind: 'none' });
    });

    it('judges nothing while a seek settles, then starts afresh', () => {
      const drift = new ui.DriftCorrector();
      assert.equal(drift.update(10 + ui.SEEK_S * 2, 10, 1, 0).kind, 'seek');
      assert.deepEqual(drift.update(10 + ui.SEEK_S * 2, 10, 1, ui.SEEK_SETTLE_MS - 1), {
        kind: 'none',
      });
      assert.equal(drift.update(10 + ui.SEEK_S * 2, 10, 1, ui.SEEK_SETTLE_MS).kind, 'seek');
    });

    it('learns how late its seeks land and aims the next one that much further ahead', () => {
      const drift = new ui.DriftCorrector();
      const first = drift.update(10 + ui.SEEK_S * 2, 10, 1, 0);
      assert.ok(first.kind === 'seek');
      // It landed 0.2 s behind where it should be.
      drift.update(first.to - 0.2, first.to, 1, ui.SEEK_SETTLE_MS + 1);
      const second = drift.update(40, 20, 1, ui.SEEK_SETTLE_MS + 2);
      assert.ok(second.kind === 'seek');
      assert.ok(Math.abs(second.to - 20 - (first.to - 10 + 0.2)) < 1e-9, `aims at ${second.to}`);
    });
  });

  describe('the party state', () => {
    it('moves the position on at the rate while playing, holds it while paused, within the film', () => {
      const playing = partyState({ position: 10, sampledAt: 1_000_000, rate: 2 });
      assert.equal(ui.expectedPosition(playing, 1_001_500), 13);
      assert.equal(ui.expectedPosition(partyState({ paused: true }), 2_000_000), 10);
      assert.equal(ui.expectedPosition(playing, 9_000_000), 100);
    });

    it('follows one party: progress and completion count, another party starts from nothing', () => {
      let party = ui.reduceParty(ui.NO_PARTY, { event: 'party-preparing', percent: 40 });
      assert.equal(party.preparing, 40);
      party = ui.reduceParty(party, partyState());
      assert.equal(party.preparing, null);
      party = ui.reduceParty(party, {
        event: 'party-progress',
        party: P1,
        have: 3,
        total: 9,
        received: {},
        uploaded: 0,
      });
      assert.deepEqual([party.have, party.total, party.complete], [3, 9, false]);
      // News of another party does not touch this one.
      assert.equal(
        ui.reduceParty(party, { event: 'party-complete', party: P2, sha256: '0' }),
        party,
      );
      party = ui.reduceParty(party, { event: 'party-complete', party: P1, sha256: '0' });
      assert.equal(party.complete, true);
      const next = ui.reduceParty(party, partyState({ party: P2 }));
      assert.deepEqual([next.state?.party, next.have, next.complete], [P2, 0, false]);
      assert.equal(
        ui.reduceParty(next, { event: 'party-ended', party: P2, reason: 'stopped' }).state,
        null,
      );
    });
  });

  describe('subtitles a viewer picks', () => {
    it('reads SRT and WebVTT into cues in seconds', () => {
      const srt =
        '\uFEFF1\n00:00:01,500 --> 00:00:03,000\nHello <i>there</i>\n\n2\n00:01:00,000 --> 00:01:02,000\nBye\n';
      const parsed = ui.parseSubtitles(srt);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.equal(parsed.cues.length, 2);
      assert.deepEqual([parsed.cues[0]?.start, parsed.cues[0]?.end], [1.5, 3]);
      assert.equal(parsed.cues[1]?.text, 'Bye');
      const vtt = ui.parseSubtitles('WEBVTT\n\n00:00:02.000 --> 00:00:04.000\nHi\n');
      assert.ok(vtt.ok && vtt.cues[0]?.start === 2);
    });

    it('refuses what is not subtitles, with a reason', () => {
      for (const text of ['', 'just some words', '\u0000\u0001\u0002']) {
        const parsed = ui.parseSubtitles(text);
        assert.equal(parsed.ok, false, JSON.stringify(text));
      }
      assert.deepEqual(ui.parseSubtitles('x'.repeat(5 * 1024 * 1024)), {
        ok: false,
        reason: 'tooLarge',
      });
    });
  });

  it('shows film times as m:ss, and h:mm:ss from an hour on', () => {
    assert.deepEqual([0, 59.9, 61, 3599, 3600, 3725, -5, Number.NaN].map(ui.formatClock), [
      '0:00',
      '0:59',
      '1:01',
      '59:59',
      '1:00:00',
      '1:02:05',
      '0:00',
      '0:00',
    ]);
  });
});
