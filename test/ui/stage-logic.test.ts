/** The call stage's pure layout logic (renderer/state/stage-layout.ts), under Node. */
import assert from 'node:assert/strict';
import { loadRenderer } from './load-renderer.js';

type Corner = 'top-left' | 'top-right' | 'bottom-right' | 'bottom-left';
interface SpeakerState {
  speaker: string | null;
  since: number;
  startedAt: Readonly<Record<string, number>>;
}
interface StageLogic {
  gridShape(
    count: number,
    width: number,
    height: number,
    aspect?: number,
    gap?: number,
  ): {
    cols: number;
    rows: number;
  };
  nextSpeaker(
    previous: SpeakerState,
    input: { now: number; members: readonly string[]; speaking: ReadonlySet<string> },
    holdMs?: number,
  ): SpeakerState & { recheckAt: number | null };
  featuredMember(members: readonly string[], pinned: string | null, speaker: string | null): string;
  NO_SPEAKER: SpeakerState;
  SPEAKER_HOLD_MS: number;
  nearestCorner(x: number, y: number, width: number, height: number): Corner;
  nextCorner(corner: Corner): Corner;
  connectionQuality(input: {
    lossPercent: number | null;
    rttMs: number | null;
    fps: number | null;
  }): 'good' | 'fair' | 'poor' | null;
  lossPercent(
    previous: { lost: number; received: number } | undefined,
    next: { lost: number; received: number },
  ): number | null;
  parseStagePrefs(text: string | null): { view: string; selfCorner: Corner; mirror: boolean };
}

describe('the call stage layout (grid shape, speaker, corners, quality)', function () {
  this.timeout(30_000);
  let ui: StageLogic;
  before(async () => {
    ui = await loadRenderer<StageLogic>({
      'state/stage-layout.ts': [
        'gridShape',
        'nextSpeaker',
        'featuredMember',
        'NO_SPEAKER',
        'SPEAKER_HOLD_MS',
        'nearestCorner',
        'nextCorner',
        'connectionQuality',
        'lossPercent',
        'parseStagePrefs',
      ],
    });
  });

  describe('grid shape', () => {
    it('fills a wide stage: side by side for two, 2 × 2 for three and four, 3 × 2 for five', () => {
      assert.deepEqual(ui.gridShape(1, 1000, 600), { cols: 1, rows: 1 });
      assert.deepEqual(ui.gridShape(2, 1000, 600), { cols: 2, rows: 1 });
      assert.deepEqual(ui.gridShape(3, 1000, 600), { cols: 2, rows: 2 });
      assert.deepEqual(ui.gridShape(4, 1000, 600), { cols: 2, rows: 2 });
      assert.deepEqual(ui.gridShape(5, 1000, 600), { cols: 3, rows: 2 });
    });

    it('puts three in one row where the stage is wide enough for that to be bigger', () => {
      assert.deepEqual(ui.gridShape(3, 1600, 400), { cols: 3, rows: 1 });
    });

    it('stacks in a tall stage', () => {
      assert.deepEqual(ui.gridShape(2, 400, 900), { cols: 1, rows: 2 });
      assert.deepEqual(ui.gridShape(3, 400, 1200), { cols: 1, rows: 3 });
    });

    it('follows the tile aspect: 16:9 tiles in a 4:3 box go 1 × 2 sooner than 4:3 tiles', () => {
      assert.deepEqual(ui.gridShape(2, 800, 560, 4 / 3), { cols: 2, rows: 1 });
      assert.deepEqual(ui.gridShape(2, 800, 560, 16 / 9), { cols: 1, rows: 2 });
    });

    it('never leaves a whole row empty, and the tiles always fit', () => {
      for (let count = 1; count <= 16; count++) {
        for (const [w, h] of [
          [1200, 700],
          [700, 1200],
          [900, 900],
          [2000, 300],
        ] as const) {
          const { cols, rows } = ui.gridShape(count, w, h);
          assert.ok(cols * rows >= count, `${count} in ${cols}×${rows}`);
          assert.ok(cols * (rows - 1) < count, `${count} in ${cols}×${rows}: an empty row`);
        }
      }
    });

    it('a box not laid out yet (0 × 0) gets one column', () => {
      assert.deepEqual(ui.gridShape(3, 0, 0), { cols: 1, rows: 3 });
    });
  });

  describe('who is the speaker', () => {
    const members = ['bob', 'cy', 'dee'];
    const step = (
      previous: SpeakerState,
      now: number,
      speaking: string[],
      list: string[] = members,
    ): SpeakerState & { recheckAt: number | null } =>
      ui.nextSpeaker(previous, { now, members: list, speaking: new Set(speaking) });

    it('nobody before anyone speaks; the first to speak takes the floor at once', () => {
      const quiet = step(ui.NO_SPEAKER, 1000, []);
      assert.equal(quiet.speaker, null);
      assert.equal(step(quiet, 1100, ['cy']).speaker, 'cy');
    });

    it('holds the floor against a short interruption, then hands over', () => {
      const hold = ui.SPEAKER_HOLD_MS;
      let state = step(ui.NO_SPEAKER, 0, ['bob']);
      state = step(state, 500, ['bob', 'cy']);
      assert.equal(state.speaker, 'bob', 'bob still speaks');
      state = step(state, 600, ['cy']);
      assert.equal(state.speaker, 'bob', 'within the hold');
      assert.equal(state.recheckAt, hold, 'and says when to look again');
      state = step(state, hold, ['cy']);
      assert.equal(state.speaker, 'cy');
      assert.equal(state.since, hold);
    });

    it('keeps the last speaker while everyone is silent', () => {
      let state = step(ui.NO_SPEAKER, 0, ['dee']);
      state = step(state, 5000, []);
      assert.equal(state.speaker, 'dee');
      assert.equal(state.recheckAt, null);
    });

    it('of two challengers, the one speaking longer takes over', () => {
      let state = step(ui.NO_SPEAKER, 0, ['bob']);
      state = step(state, 100, ['bob', 'dee']);
      state = step(state, 200, ['bob', 'dee', 'cy']);
      state = step(state, 5000, ['cy', 'dee']);
      assert.equal(state.speaker, 'dee');
    });

    it('a speaker who leaves is replaced by whoever speaks, without waiting', () => {
      let state = step(ui.NO_SPEAKER, 0, ['bob']);
      state = step(state, 100, ['cy'], ['cy', 'dee']);
      assert.equal(state.speaker, 'cy');
    });

    it('the big tile: pinned, else the speaker, else the first member', () => {
      assert.equal(ui.featuredMember(members, 'dee', 'bob'), 'dee');
      assert.equal(ui.featuredMember(members, null, 'cy'), 'cy');
      assert.equal(ui.featuredMember(members, 'gone', null), 'bob');
      assert.equal(ui.featuredMember(members, null, 'gone'), 'bob');
    });
  });

  it('snaps to the nearest corner; the Move button goes round clockwise', () => {
    assert.equal(ui.nearestCorner(10, 10, 800, 600), 'top-left');
    assert.equal(ui.nearestCorner(700, 100, 800, 600), 'top-right');
    assert.equal(ui.nearestCorner(100, 500, 800, 600), 'bottom-left');
    assert.equal(ui.nearestCorner(799, 599, 800, 600), 'bottom-right');
    const round: Corner[] = ['bottom-right'];
    for (let i = 0; i < 4; i++) round.push(ui.nextCorner(round[round.length - 1]!));
    assert.deepEqual(round, [
      'bottom-right',
      'bottom-left',
      'top-left',
      'top-right',
      'bottom-right',
    ]);
  });

  describe('connection quality', () => {
    it('good, fair or poor by the worst of loss, round trip and frame rate', () => {
      const q = (lossPercent: number | null, rttMs: number | null, fps: number | null) =>
        ui.connectionQuality({ lossPercent, rttMs, fps });
      assert.equal(q(0, 5, 30), 'good');
      assert.equal(q(2.9, 149, 10), 'good');
      assert.equal(q(3, 5, 30), 'fair');
      assert.equal(q(0, 150, 30), 'fair');
      assert.equal(q(0, 5, 9), 'fair');
      assert.equal(q(10, 5, 30), 'poor');
      assert.equal(q(0, 400, 30), 'poor');
      assert.equal(q(0, 5, 2), 'poor');
      assert.equal(q(0, 5, null), 'good', 'video off: no frame rate to judge');
      assert.equal(q(null, null, null), null, 'nothing known yet');
    });

    it('loss between two samples; counters that went back start over', () => {
      assert.equal(ui.lossPercent(undefined, { lost: 5, received: 95 }), null);
      assert.equal(ui.lossPercent({ lost: 5, received: 95 }, { lost: 10, received: 140 }), 10);
      assert.equal(ui.lossPercent({ lost: 5, received: 95 }, { lost: 5, received: 95 }), null);
      assert.equal(ui.lossPercent({ lost: 5, received: 95 }, { lost: 0, received: 10 }), null);
    });
  });

  it('stored preferences: each field checked, a bad one falls back to its default', () => {
    const defaults = { view: 'grid', selfCorner: 'bottom-right', mirror: true };
    assert.deepEqual(ui.parseStagePrefs(null), defaults);
    assert.deepEqual(ui.parseStagePrefs('not json'), defaults);
    assert.deepEqual(ui.parseStagePrefs('[1]'), defaults);
    assert.deepEqual(
      ui.parseStagePrefs('{"view":"speaker","selfCorner":"top-left","mirror":false}'),
      { view: 'speaker', selfCorner: 'top-left', mirror: false },
    );
    assert.deepEqual(ui.parseStagePrefs('{"view":"huge","selfCorner":"middle","mirror":"yes"}'), {
      ...defaults,
    });
  });
});
