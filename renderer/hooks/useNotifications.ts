import { useCallback, useState } from 'preact/hooks';

export type NotificationState = NotificationPermission | 'unsupported';

function current(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Permission is only ever requested from a click (never on load). */
export function useNotificationPermission(): {
  permission: NotificationState;
  request: () => void;
} {
  const [permission, setPermission] = useState<NotificationState>(current);
  const request = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    Notification.requestPermission().then(setPermission, () => setPermission(current()));
  }, []);
  return { permission, request };
}

/** A desktop notification when allowed and the window is not in front; clicking it focuses us. */
export function notify(title: string, body: string, tag: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker; the dialog still shows.
  }
}
