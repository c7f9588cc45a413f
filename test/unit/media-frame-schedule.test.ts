import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameSchedule } from '../../main/media/frame-schedule.js';

describe('media frame schedule', () => {
  const interval = 1000 / 30;

  it('is due at once, then on a fixed grid', () => {
    const schedule = new FrameSchedule(30, 1000);
    assert.equal(schedule.delay(1000), 0);
    schedule.taken(1000);
    assert.ok(Math.abs(schedule.delay(1000) - interval) < 1e-9);
    schedule.taken(1000 + interval);
    assert.ok(Math.abs(schedule.nextDue - (1000 + 2 * interval)) < 1e-9);
  });

  it('does not drift when every timer fires late', () => {
    const schedule = new FrameSchedule(30, 0);
    for (let frame = 0; frame < 300; frame++) schedule.taken(schedule.nextDue + 7);
    assert.ok(Math.abs(schedule.nextDue - 300 * interval) < 1e-6, `next due ${schedule.nextDue}`);
  });

  it('skips the missed slots after a stall instead of bursting', () => {
    const schedule = new FrameSchedule(30, 0);
    schedule.taken(0);
    schedule.taken(250);
    // 250 ms is 7.5 slots: the next frame is due at slot 8, not immediately 7 times over.
    assert.ok(Math.abs(schedule.nextDue - 8 * interval) < 1e-9);
    assert.ok(schedule.delay(250) > 0);
  });

  it('advances one slot even when taken a little early', () => {
    const schedule = new FrameSchedule(30, 0);
    schedule.taken(0);
    schedule.taken(interval - 0.5);
    assert.ok(Math.abs(schedule.nextDue - 2 * interval) < 1e-9);
  });

  it('always schedules the next frame on the grid, after the last, skipping no slot it could still meet', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.double({ min: -2, max: 400, noNaN: true }), { maxLength: 50 }),
        (fps, lateness) => {
          const step = 1000 / fps;
          const schedule = new FrameSchedule(fps, 0);
          let now = 0;
          for (const late of lateness) {
            const due = schedule.nextDue;
            now = Math.max(now, due + late);
            schedule.taken(now);
            const slot = schedule.nextDue / step;
            assert.ok(Math.abs(slot - Math.round(slot)) < 1e-6, 'off the grid');
            assert.ok(schedule.nextDue > now, 'not after the frame just taken');
            assert.ok(
              schedule.nextDue <= Math.max(now, due) + step + 1e-6,
              'a slot skipped needlessly',
            );
          }
        },
      ),
    );
  });
});
