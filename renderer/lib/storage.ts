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
