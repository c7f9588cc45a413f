import assert from 'node:assert/strict';
import { runTarget } from '../fuzz/harness.js';
import { TARGETS } from '../fuzz/targets/index.js';

/**
 * The short version of `npm run fuzz`: the same targets, a few thousand inputs each. A crash
 * (an exception other than the parser's typed rejection, or an untyped result) or an input
 * running over a second fails the test and prints the input that did it.
 */
const INPUTS = 2500;
const CORPUS = 800;
const HANG_MS = 1000;

describe('fuzz (short run of npm run fuzz)', () => {
  for (const fuzz of TARGETS) {
    it(`${fuzz.name}: ${fuzz.parser}`, async () => {
      const report = await runTarget(fuzz, { inputs: INPUTS, seed: 7, corpus: CORPUS });
      assert.equal(report.inputs, INPUTS);
      assert.equal(
        report.crashes,
        0,
        report.firstCrashes.map((c) => `#${c.index} ${c.error}\n  ${c.input}`).join('\n'),
      );
      assert.ok(report.slowestMs < HANG_MS, `an input took ${report.slowestMs.toFixed(0)} ms`);
    });
  }
});
