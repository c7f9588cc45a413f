/** Runs one target in a worker thread, so the runner's watchdog can stop it if it hangs. */
import { parentPort, workerData } from 'node:worker_threads';
import { runTarget } from './harness.js';
import { targetNamed } from './targets/index.js';

interface Job {
  name: string;
  inputs: number;
  seed: number;
  corpus: number;
  /** Int32 slots: [input index (-1 while loading), 1 while the parser runs]; the watchdog reads them. */
  progress: SharedArrayBuffer;
}

const job = workerData as Job;
const counter = new Int32Array(job.progress);
const fuzz = targetNamed(job.name);
if (fuzz === undefined) throw new Error(`no fuzz target ${job.name}`);
const report = await runTarget(fuzz, {
  inputs: job.inputs,
  seed: job.seed,
  corpus: job.corpus,
  progress: (index, running) => {
    Atomics.store(counter, 0, index);
    Atomics.store(counter, 1, running ? 1 : 0);
  },
});
parentPort?.postMessage(report);
