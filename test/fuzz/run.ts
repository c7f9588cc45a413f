/**
 * npm run fuzz [-- --inputs N] [--only name[,name…]] [--seed S] [--workers W] [--hang-ms MS]
 *                [--corpus C]
 *
 * Drives every parser target (test/fuzz/targets) with N inputs each — a corpus of C
 * structured inputs from fast-check, then cheap mutations of them (havoc.ts) — one worker
 * thread per target, W at a time. A watchdog stops a target whose current input has run
 * longer than --hang-ms. Prints a table; exits 1 on any crash or hang.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_CORPUS,
  buildCorpus,
  describeInput,
  inputAt,
  type TargetReport,
} from './harness.js';
import { TARGETS, targetNamed } from './targets/index.js';

interface Hang {
  name: string;
  index: number;
  input: string;
}

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    only: { type: 'string', multiple: true },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'hang-ms': { type: 'string', default: '1000' },
    corpus: { type: 'string', default: String(DEFAULT_CORPUS) },
  },
  strict: true,
});

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`--${what} must be a non-negative integer, got ${text}`);
  return n;
}

const inputs = positiveInt(values.inputs, 'inputs');
const seed = positiveInt(values.seed, 'seed');
const workers = Math.max(1, positiveInt(values.workers, 'workers'));
const hangMs = positiveInt(values['hang-ms'], 'hang-ms');
const corpusSize = positiveInt(values.corpus, 'corpus');
const names = (values.only ?? []).flatMap((v) => v.split(',')).filter((n) => n !== '');
for (const name of names) {
  if (targetNamed(name) === undefined) {
    throw new Error(`unknown target ${name}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  }
}
const selected = names.length > 0 ? TARGETS.filter((t) => names.includes(t.name)) : TARGETS;

const reports = new Map<string, TargetReport>();
const hangs: Hang[] = [];

/** Runs one target in its own worker; resolves when it finishes, crashes its thread or hangs. */
function runInWorker(name: string): Promise<void> {
  const progress = new SharedArrayBuffer(8);
  const counter = new Int32Array(progress);
  Atomics.store(counter, 0, -1);
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { name, inputs, seed, corpus: corpusSize, progress },
  });
  return new Promise((resolve) => {
    // Times the input the parser is running; generation and loading are not timed.
    let timed = -1;
    let since = performance.now();
    const watchdog = setInterval(() => {
      const index = Atomics.load(counter, 0);
      const running = Atomics.load(counter, 1) === 1;
      const now = performance.now();
      if (!running || index !== timed) {
        timed = running ? index : -1;
        since = now;
      } else if (now - since > hangMs) {
        clearInterval(watchdog);
        const fuzz = targetNamed(name);
        const corpus = fuzz ? buildCorpus(fuzz, seed, Math.min(inputs, corpusSize)) : [];
        const input = fuzz ? describeInput(inputAt(fuzz, corpus, seed, index)) : '?';
        hangs.push({ name, index, input });
        void worker.terminate().then(() => resolve());
      }
    }, 50);
    worker.on('message', (report: TargetReport) => reports.set(name, report));
    worker.on('error', (error) => {
      // The worker itself died (e.g. a throw outside any check): a crash of the harness.
      reports.set(name, {
        name,
        parser: targetNamed(name)?.parser ?? '?',
        inputs: Math.max(0, Atomics.load(counter, 0)),
        corpus: 0,
        ms: 0,
        checkMs: 0,
        accepted: 0,
        crashes: 1,
        firstCrashes: [{ index: -1, error: String(error), input: '(worker died)' }],
        slowestMs: 0,
      });
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve();
    });
  });
}

const started = performance.now();
const queue = selected.map((t) => t.name);
await Promise.all(
  Array.from({ length: Math.min(workers, queue.length) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const begun = performance.now();
      await runInWorker(name);
      const report = reports.get(name);
      const seconds = ((performance.now() - begun) / 1000).toFixed(1);
      console.error(`fuzz: ${name} done in ${seconds} s${report ? '' : ' (stopped)'}`);
    }
  }),
);
const totalSeconds = (performance.now() - started) / 1000;

const args = process.argv.slice(2).join(' ');
const command = args === '' ? 'npm run fuzz' : `npm run fuzz -- ${args}`;
const rows = selected.map((t) => {
  const r = reports.get(t.name);
  const hung = hangs.filter((h) => h.name === t.name).length;
  if (r === undefined) return `| ${t.name} | — | — | — | — | — | — | ${hung} | — | ${t.parser} |`;
  const perSecond = r.ms > 0 ? Math.round((r.inputs / r.ms) * 1000) : 0;
  return `| ${t.name} | ${r.inputs} | ${(r.ms / 1000).toFixed(0)} | ${perSecond} | ${(r.accepted * 100).toFixed(1)} % | ${r.crashes} | ${hung} | ${r.slowestMs.toFixed(1)} | ${t.parser} |`;
});
console.log(
  `\nfuzz: \`${command}\` (seed ${seed}, corpus ${corpusSize}, ${workers} workers, hang > ${hangMs} ms): ${totalSeconds.toFixed(0)} s\n`,
);
console.log(
  '| target | inputs | s | inputs/s | accepted | crashes | hangs | slowest ms | parser |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const row of rows) console.log(row);

let failed = hangs.length > 0;
for (const report of reports.values()) {
  if (report.crashes > 0) failed = true;
  for (const crash of report.firstCrashes) {
    console.log(
      `\nCRASH ${report.name} input #${crash.index} (seed ${seed}): ${crash.error}\n  input: ${crash.input}`,
    );
  }
}
for (const hang of hangs) {
  console.log(
    `\nHANG ${hang.name} input #${hang.index} (seed ${seed}) ran > ${hangMs} ms\n  input: ${hang.input}`,
  );
}
process.exitCode = failed ? 1 : 0;
