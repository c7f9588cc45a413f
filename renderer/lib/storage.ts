/** localStorage that never throws (it is unavailable in some sandboxed or private contexts). */
export function readSetting(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // not persisted; the setting still applies for this session
  }
}

/**
 * When we joined `call`, as this tab first saw it: kept in sessionStorage, so reloading the
 * page mid-call does not restart the clock.
 */
export function callStartedAt(call: string, now: number): number {
  const key = `meshcall.call-start.${call}`;
  try {
    const kept = Number(window.sessionStorage.getItem(key));
    if (Number.isFinite(kept) && kept > 0 && kept <= now) return kept;
    window.sessionStorage.setItem(key, String(now));
  } catch {
    // no storage: the clock starts with this page
  }
  return now;
}

const CLOSED_CHAT = 'meshcall.closed-chat';

/** The ended call whose chat this tab closed (sessionStorage: a reload keeps it closed). */
export function closedChatKept(): string | null {
  try {
    return window.sessionStorage.getItem(CLOSED_CHAT);
  } catch {
    return null;
  }
}

export function keepClosedChat(call: string | null): void {
  try {
    if (call === null) window.sessionStorage.removeItem(CLOSED_CHAT);
    else window.sessionStorage.setItem(CLOSED_CHAT, call);
  } catch {
    // no storage: a reload shows the ended call's chat again
  }
}
