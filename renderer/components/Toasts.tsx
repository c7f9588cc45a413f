import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n, useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import type { Toast } from '../state/types.js';
import type { IconName } from './Icon.js';
import { Icon } from './Icon.js';

const ICONS: Record<Toast['kind'], IconName> = {
  error: 'alert',
  warning: 'shield-alert',
  info: 'info',
  success: 'check',
};

const LIFETIME_MS: Record<Toast['kind'], number> = {
  error: 9000,
  warning: 15000,
  info: 5000,
  success: 6000,
};

function ToastItem({ toast }: { toast: Toast }): JSX.Element {
  const { dispatch } = useStore();
  const { t, text } = useI18n();
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = window.setTimeout(
      () => dispatch({ type: 'dismiss-toast', id: toast.id }),
      LIFETIME_MS[toast.kind],
    );
    return () => window.clearTimeout(timer);
  }, [dispatch, toast.id, toast.kind, paused]);
  const urgent = toast.kind === 'error' || toast.kind === 'warning';
  return (
    <div
      class={`toast toast-${toast.kind}`}
      role={urgent ? 'alert' : 'status'}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocusCapture={() => setPaused(true)}
      onBlurCapture={() => setPaused(false)}
    >
      <span class="toast-icon">
        <Icon name={ICONS[toast.kind]} size={18} />
      </span>
      <div class="toast-body">
        <strong class="toast-title">{text(toast.title)}</strong>
        {toast.message && <p class="toast-message">{text(toast.message)}</p>}
      </div>
      <button
        type="button"
        class="icon-button icon-button-small"
        aria-label={t('toast.dismiss')}
        onClick={() => dispatch({ type: 'dismiss-toast', id: toast.id })}
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}

export function Toasts(): JSX.Element {
  const { state } = useStore();
  const t = useT();
  return (
    <div class="toasts" aria-label={t('settings.notifications')}>
      {state.toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}
