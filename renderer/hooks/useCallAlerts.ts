import { useEffect, useRef } from 'preact/hooks';
import { play, REPEAT_MS } from '../audio/sounds.js';
import { useT } from '../i18n/context.js';
import type { AppState } from '../state/types.js';
import { useSoundsOn } from './useSounds.js';

/** A ring stops on its own after this long, even if the invite were never withdrawn. */
const RING_LIMIT_MS = 60_000;
const FLASH_MS = 1000;

/**
 * What makes an invite hard to miss, and a call easy to follow: the invite rings (softer while
 * we are in a call) until it is answered, withdrawn or a minute passed; the tab title flashes
 * while the page is hidden or unfocused; someone joining or leaving the call chimes. Sounds
 * follow the Settings switch; the title flashes regardless.
 */
export function useCallAlerts(state: AppState): void {
  const t = useT();
  const sounds = useSoundsOn();
  const invite = state.invites[0];
  const ringing = invite?.call ?? null;
  const inCall = state.call !== null;

  useEffect(() => {
    if (!ringing || !sounds) return;
    const sound = inCall ? 'waiting' : 'ring';
    play(sound);
    const started = Date.now();
    const timer = window.setInterval(() => {
      if (Date.now() - started < RING_LIMIT_MS) play(sound);
      else window.clearInterval(timer);
    }, REPEAT_MS[sound]);
    return () => window.clearInterval(timer);
  }, [ringing, inCall, sounds]);

  const flash = invite ? t('ring.flash', { name: invite.name }) : null;
  useEffect(() => {
    if (!flash) return;
    const normal = document.title;
    let shown = false;
    const timer = window.setInterval(() => {
      const away = document.visibilityState === 'hidden' || !document.hasFocus();
      shown = away && !shown;
      document.title = shown ? flash : normal;
    }, FLASH_MS);
    return () => {
      window.clearInterval(timer);
      document.title = normal;
    };
  }, [flash]);

  useMemberChimes(state, sounds);
}

/**
 * A chime when a member gets connected (those already there too, as we join: we are in),
 * and when one that was connected leaves; none for our own leaving.
 */
function useMemberChimes(state: AppState, sounds: boolean): void {
  const seen = useRef<{ call: string | null; connected: Set<string> }>({
    call: null,
    connected: new Set(),
  });
  const call = state.call;
  useEffect(() => {
    const previous = seen.current;
    const connected = new Set(
      call?.members.filter((m) => m.state !== 'connecting').map((m) => m.peer) ?? [],
    );
    const present = new Set(call?.members.map((m) => m.peer) ?? []);
    const sameCall = call !== null && call.id === previous.call;
    if (sameCall && sounds) {
      if ([...previous.connected].some((peer) => !present.has(peer))) play('left');
      else if ([...connected].some((peer) => !previous.connected.has(peer))) play('joined');
    }
    // Still in the list (reconnecting, say) counts as connected once connected.
    for (const peer of previous.connected) if (sameCall && present.has(peer)) connected.add(peer);
    seen.current = { call: call?.id ?? null, connected };
  }, [call, sounds]);
}
