/**
 * What a headless node (with --frame-events) showed of one member's video: its `frame`
 * events, checked the way a decoder would take them.
 */
import type { HeadlessNode, NodeEvent } from './json-lines-process.js';

export interface ShownFrame {
  stream: number;
  frame: number;
  codec: string;
  keyframe: boolean;
  width: number;
  height: number;
  /** The node's clock. */
  receivedAt: number;
}

function shown(event: NodeEvent): ShownFrame {
  return {
    stream: Number(event.stream),
    frame: Number(event.frame),
    codec: String(event.codec),
    keyframe: event.keyframe === true,
    width: Number(event.width),
    height: Number(event.height),
    receivedAt: Number(event.receivedAt),
  };
}

/** `viewer`'s frame events from `sender`, from event index `since` on. */
export function framesFrom(viewer: HeadlessNode, sender: HeadlessNode, since = 0): ShownFrame[] {
  return viewer.events
    .slice(since)
    .filter((e) => e.event === 'frame' && e.peer === sender.id)
    .map(shown);
}

/**
 * Frames a decoder could not decode: per stream, the first frame must be a keyframe and a
 * delta must follow the previous frame shown of its stream (number + 1). Described, for
 * assertion messages; empty when every frame decodes.
 */
export function chainViolations(frames: readonly ShownFrame[]): string[] {
  const last = new Map<number, number>();
  const violations: string[] = [];
  for (const f of frames) {
    const previous = last.get(f.stream);
    if (!f.keyframe && previous !== f.frame - 1) {
      violations.push(`stream ${f.stream}: delta ${f.frame} after ${previous ?? 'nothing'}`);
    }
    last.set(f.stream, f.frame);
  }
  return violations;
}

/** Milliseconds between consecutive frames shown (a frozen picture is a long one). */
export function gapsMs(frames: readonly ShownFrame[]): number[] {
  return frames.slice(1).map((f, i) => f.receivedAt - (frames[i]?.receivedAt ?? f.receivedAt));
}

/** p50/p95/p99/max of `values`, rounded to 0.1. */
export function distribution(values: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number): number =>
    Math.round(10 * (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN)) /
    10;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}
