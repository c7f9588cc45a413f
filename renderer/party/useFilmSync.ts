/**
 * Keeps the page's <video> on the party's timeline: applies each new party state (play,
 * pause, seek, rate), then corrects drift on every presented frame (requestVideoFrameCallback
 * gives the exact media time of the frame and when it is shown), and reports buffering.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PartyStateEvent } from '../state/party.js';
import { expectedPosition } from '../state/party.js';
import { DriftCorrector } from './drift.js';

/** A paused film further than this from the shared position is moved there. */
const PAUSED_TOLERANCE_S = 0.02;
/** A new playing state (start, seek, resume) further than this from us starts with a seek. */
const JUMP_S = 0.1;
/** A stall shorter than this (a seek's own refill) is not worth making the group wait. */
const BUFFERING_REPORT_MS = 400;

export interface FilmSync {
  /** The browser refused to start playing without a click (autoplay policy). */
  blocked: boolean;
  /** The element waits for data. */
  buffering: boolean;
  /** Starts playing after a click (a user gesture lifts the autoplay block). */
  resume: () => void;
}

export function useFilmSync(
  videoRef: RefObject<HTMLVideoElement | null>,
  state: PartyStateEvent,
  onBuffering: (buffering: boolean) => void,
): FilmSync {
  const [blocked, setBlocked] = useState(false);
  const [buffering, setBuffering] = useState(false);
  const stateRef = useRef(state);
  stateRef.current = state;
  const corrector = useRef(new DriftCorrector());
  const report = useRef(onBuffering);
  report.current = onBuffering;

  const play = (video: HTMLVideoElement): void => {
    video.play().then(
      () => setBlocked(false),
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') setBlocked(true);
      },
    );
  };

  // Each new state: put the element where the party is.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const apply = (): void => {
      const now = Date.now();
      const expected = expectedPosition(state, now);
      corrector.current.reset(performance.now());
      video.playbackRate = state.rate;
      if (state.paused) {
        video.pause();
        if (Math.abs(video.currentTime - expected) > PAUSED_TOLERANCE_S)
          video.currentTime = expected;
        return;
      }
      if (Math.abs(video.currentTime - expected) > JUMP_S) {
        video.currentTime = corrector.current.seekTarget(expected, state.rate, performance.now());
      }
      if (video.paused) play(video);
    };
    if (video.readyState >= HTMLMediaElement.HAVE_METADATA) apply();
    else video.addEventListener('loadedmetadata', apply, { once: true });
    return () => video.removeEventListener('loadedmetadata', apply);
  }, [videoRef, state]);

  // Every presented frame: how far off are we, and what to do about it.
  useEffect(() => {
    const video = videoRef.current;
    if (!video || typeof video.requestVideoFrameCallback !== 'function') return;
    let handle = 0;
    let stopped = false;
    const onFrame = (_now: number, frame: VideoFrameCallbackMetadata): void => {
      if (stopped) return;
      const current = stateRef.current;
      if (!current.paused && !video.seeking) {
        const shownAt = performance.timeOrigin + frame.expectedDisplayTime;
        const expected = expectedPosition(current, shownAt);
        const action = corrector.current.update(
          frame.mediaTime,
          expected,
          current.rate,
          performance.now(),
        );
        if (action.kind === 'seek') video.currentTime = action.to;
        if (action.kind !== 'none') video.playbackRate = action.rate;
        video.dataset.drift = String(Math.round((frame.mediaTime - expected) * 1000));
      }
      handle = video.requestVideoFrameCallback(onFrame);
    };
    handle = video.requestVideoFrameCallback(onFrame);
    return () => {
      stopped = true;
      video.cancelVideoFrameCallback(handle);
    };
  }, [videoRef]);

  // Buffering: the group waits for us (within the node's bounds) while we refill.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let timer: number | undefined;
    let reported = false;
    const waiting = (): void => {
      setBuffering(true);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        reported = true;
        report.current(true);
      }, BUFFERING_REPORT_MS);
    };
    const going = (): void => {
      setBuffering(false);
      window.clearTimeout(timer);
      if (reported) report.current(false);
      reported = false;
    };
    video.addEventListener('waiting', waiting);
    for (const name of ['playing', 'canplay', 'pause'] as const)
      video.addEventListener(name, going);
    return () => {
      window.clearTimeout(timer);
      if (reported) report.current(false);
      video.removeEventListener('waiting', waiting);
      for (const name of ['playing', 'canplay', 'pause'] as const) {
        video.removeEventListener(name, going);
      }
    };
  }, [videoRef]);

  return {
    blocked,
    buffering,
    resume: () => {
      const video = videoRef.current;
      if (video && !stateRef.current.paused) play(video);
    },
  };
}
