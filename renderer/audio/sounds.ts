/**
 * Short synthesized sounds, so no audio files ship: the ring of an invite, a softer beep for
 * an invite while in a call, and chimes when someone joins or leaves. One AudioContext, made
 * on first use; where the browser keeps audio blocked (no click yet) a sound is skipped, not
 * queued, so nothing rings late.
 */
export type Sound = 'ring' | 'waiting' | 'joined' | 'left';

interface Note {
  hz: number;
  /** Seconds after the sound starts. */
  at: number;
  seconds: number;
  gain: number;
}

const note = (hz: number, at: number, seconds: number, gain: number): Note => ({
  hz,
  at,
  seconds,
  gain,
});

/** Notes of each sound: a rising E-major arpeggio rings; joining rises, leaving falls. */
const SOUNDS: Record<Sound, readonly Note[]> = {
  ring: [
    note(659.25, 0, 0.18, 0.16),
    note(830.61, 0.18, 0.18, 0.16),
    note(987.77, 0.36, 0.4, 0.16),
    note(659.25, 0.9, 0.18, 0.16),
    note(830.61, 1.08, 0.18, 0.16),
    note(987.77, 1.26, 0.4, 0.16),
  ],
  waiting: [note(880, 0, 0.12, 0.08), note(880, 0.24, 0.12, 0.08)],
  joined: [note(523.25, 0, 0.14, 0.1), note(783.99, 0.12, 0.24, 0.1)],
  left: [note(783.99, 0, 0.14, 0.1), note(523.25, 0.12, 0.24, 0.1)],
};

/** How often a ring repeats while the invite waits. */
export const REPEAT_MS: Record<'ring' | 'waiting', number> = { ring: 3000, waiting: 5000 };

let context: AudioContext | null = null;

function running(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  try {
    context ??= new AudioContext({ latencyHint: 'interactive' });
  } catch {
    return null;
  }
  if (context.state === 'running') return context;
  // Blocked until the user interacts with the page (autoplay policy): try, skip this one.
  context.resume().catch(() => undefined);
  return null;
}

export function play(sound: Sound): void {
  const audio = running();
  if (!audio) return;
  const start = audio.currentTime + 0.02;
  for (const { hz, at, seconds, gain } of SOUNDS[sound]) {
    const oscillator = audio.createOscillator();
    const envelope = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = hz;
    const begin = start + at;
    const end = begin + seconds;
    // A quick attack and an exponential fade: no clicks at either end.
    envelope.gain.setValueAtTime(0.0001, begin);
    envelope.gain.exponentialRampToValueAtTime(gain, begin + 0.015);
    envelope.gain.exponentialRampToValueAtTime(0.0001, end);
    oscillator.connect(envelope).connect(audio.destination);
    oscillator.start(begin);
    oscillator.stop(end + 0.02);
  }
}
