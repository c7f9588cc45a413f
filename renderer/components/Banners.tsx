import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConnectionStatus } from '../transport/transport.js';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import type { TrustWarning } from '../state/types.js';
import { Icon } from './Icon.js';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

/** "Disconnected" while the link to the node is down, with the next retry. */
export function ConnectionBanner({
  status,
  everConnected,
  onRetry,
}: {
  status: ConnectionStatus;
  everConnected: boolean;
  onRetry: () => void;
}): JSX.Element | null {
  const now = useNow(status.state === 'closed');
  const t = useT();
  if (status.state === 'open') return null;
  if (status.state === 'connecting' && !everConnected && status.attempt === 0) return null;
  const seconds =
    status.state === 'closed' && status.retryAt !== null
      ? Math.max(0, Math.ceil((status.retryAt - now) / 1000))
      : null;
  return (
    <div class="banner banner-error" role="alert">
      <Icon name="alert" size={18} />
      <span>
        <strong>{t('banner.disconnected')}</strong>{' '}
        {status.state === 'connecting'
          ? t('banner.reconnecting')
          : seconds !== null
            ? t('banner.retryIn', { seconds })
            : ''}
      </span>
      {status.state === 'closed' && (
        <button type="button" class="link-button" onClick={onRetry}>
          {t('banner.retryNow')}
        </button>
      )}
    </div>
  );
}

/** Key-changed warnings stay on screen until dealt with. */
export function TrustWarnings({
  onReview,
}: {
  onReview: (warning: TrustWarning) => void;
}): JSX.Element | null {
  const { state, dispatch } = useStore();
  const t = useT();
  if (state.trustWarnings.length === 0) return null;
  return (
    <div class="banners">
      {state.trustWarnings.map((warning) => (
        <div key={warning.peer} class="banner banner-warning" role="alert">
          <Icon name="shield-alert" size={18} />
          <span>
            <strong>{t('banner.keyChanged', { name: warning.name })}</strong>{' '}
            {t('prof.keyChanged.detail')}
          </span>
          <button type="button" class="link-button" onClick={() => onReview(warning)}>
            {t('banner.review')}
          </button>
          <button
            type="button"
            class="icon-button icon-button-small"
            aria-label={t('banner.dismiss', { name: warning.name })}

            onClick={() => dispatch({ type: 'dismiss-trust-warning', peer: warning.peer })}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
