import fc from 'fast-check';
import { Rng } from './havoc.js';

/**
 * One fuzz target: a generator of structured inputs (valid messages, then damaged), a cheap
 * mutation of one input, and a check that feeds one input to the parser. The check returns a
 * short outcome label ("ok…", or the parser's typed rejection) and throws only when the parser
 * misbehaved: an exception other than its documented typed rejection, or a result that is not
 * of its documented shape (a FuzzViolation).
 */
export interface FuzzTarget<T = unknown> {
  readonly name: string;
  /** What it drives, for the report. */
  readonly parser: string;
  /** Structure-aware inputs (fast-check): the corpus. */
  readonly arbitrary: fc.Arbitrary<T>;
  /** Damages a copy of a corpus input cheaply: the bulk of a long run (see havoc.ts). */
  havoc(input: T, rng: Rng): T;
  /** Loads what the check needs (e.g. a renderer module bundled at run time); once per process. */
  setup?(): Promise<void>;
  check(input: T): string | Promise<string>;
}

/** A parser returned something outside its documented result type. */
export class FuzzViolation extends Error {
  override readonly name = 'FuzzViolation';
}

export function violation(message: string): never {
  throw new FuzzViolation(message);
}

/** Type-erases a target so a list of different targets can be run by one loop. */
export function target<T>(definition: FuzzTarget<T>): FuzzTarget {
  return definition;
}

/** Corpus entries per target in a long run; shorter runs use their whole budget for it. */
export const DEFAULT_CORPUS = 4000;
const BATCH = 500;

function mix(seed: number, n: number): number {
  return (seed ^ Math.imul(n + 1, 0x9e3779b1)) | 0;
}

/** The corpus of a run: deterministic in (seed, size), generated in batches. */
export function buildCorpus(fuzz: FuzzTarget, seed: number, size: number): unknown[] {
  const corpus: unknown[] = [];
  for (let batch = 0; corpus.length < size; batch++) {
    const numRuns = Math.min(BATCH, size - corpus.length);
    corpus.push(...fc.sample(fuzz.arbitrary, { seed: mix(seed, batch), numRuns }));
  }
  return corpus;
}

/** Input `index` of a run: the corpus itself first, then havoc of corpus entries. */
export function inputAt(
  fuzz: FuzzTarget,
  corpus: readonly unknown[],
  seed: number,
  index: number,
): unknown {
  if (index < corpus.length) return corpus[index];
  const rng = new Rng(mix(seed, index));
  return fuzz.havoc(rng.pick(corpus), rng);
}

export interface Crash {
  index: number;
  error: string;
  input: string;
}

export interface TargetReport {
  name: string;
  parser: string;
  inputs: number;
  corpus: number;
  /** Wall time from the first corpus input to the last input. */
  ms: number;
  /** Of which in the parser checks (the rest is generating inputs). */
  checkMs: number;
  /** Share of inputs the parser accepted (outcome "ok…"): shows the generators reach deep. */
  accepted: number;
  crashes: number;
  firstCrashes: Crash[];
  slowestMs: number;
}

export interface RunOptions {
  inputs: number;
  seed: number;
  corpus?: number;
  /**
   * Called as input `index` starts (running) and ends: the watchdog times the parser only,
   * not the generation of inputs.
   */
  progress?: (index: number, running: boolean) => void;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error thrown: ${String(error)}`;
}

export function describeInput(input: unknown): string {
  let text: string;
  try {
    text = fc.stringify(input);
  } catch (error) {
    text = `(not printable: ${describeError(error)})`;
  }
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
}

/** Runs `inputs` inputs through one target; never throws for what the parser does. */
export async function runTarget(fuzz: FuzzTarget, options: RunOptions): Promise<TargetReport> {
  await fuzz.setup?.();
  const started = performance.now();
  const corpus = buildCorpus(
    fuzz,
    options.seed,
    Math.min(options.inputs, options.corpus ?? DEFAULT_CORPUS),
  );
  const report: TargetReport = {
    name: fuzz.name,
    parser: fuzz.parser,
    inputs: 0,
    corpus: corpus.length,
    ms: 0,
    checkMs: 0,
    accepted: 0,
    crashes: 0,
    firstCrashes: [],
    slowestMs: 0,
  };
  let accepted = 0;
  for (let index = 0; index < options.inputs; index++) {
    const input = inputAt(fuzz, corpus, options.seed, index);
    options.progress?.(index, true);
    const before = performance.now();
    try {
      const outcome = fuzz.check(input);
      const label = typeof outcome === 'string' ? outcome : await outcome;
      if (label.startsWith('ok')) accepted++;
    } catch (error) {
      report.crashes++;
      if (report.firstCrashes.length < 5) {
        report.firstCrashes.push({
          index,
          error: describeError(error),
          input: describeInput(input),
        });
      }
    }
    const took = performance.now() - before;
    report.checkMs += took;
    report.slowestMs = Math.max(report.slowestMs, took);
    report.inputs++;
    options.progress?.(index, false);
  }
  report.ms = performance.now() - started;
  report.accepted = report.inputs === 0 ? 0 : accepted / report.inputs;
  return report;
}
