import type { JSX } from 'preact';
import type { IconName } from './Icon.js';
import { Icon } from './Icon.js';
import type { PanelTab } from './tabs.js';
import { TAB_LABELS } from './tabs.js';
import { useT } from '../i18n/context.js';

const TAB_ICONS: Record<PanelTab, IconName> = {
  stage: 'video',
  people: 'people',
  chat: 'chat',
  nearby: 'nearby',
  filters: 'filters',
  settings: 'settings',
};

export const PANEL_ID = 'side-panel';

export function tabId(tab: PanelTab): string {
  return `tab-${tab}`;
}

export function TabBar({
  tabs,
  active,
  unread,
  onSelect,
}: {
  tabs: PanelTab[];
  active: PanelTab;
  unread: number;
  onSelect: (tab: PanelTab) => void;
}): JSX.Element {
  const t = useT();
  const onKeyDown = (event: KeyboardEvent): void => {
    const index = tabs.indexOf(active);
    let next: PanelTab | undefined;
    if (event.key === 'ArrowRight') next = tabs[(index + 1) % tabs.length];
    else if (event.key === 'ArrowLeft') next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs.at(-1);
    if (!next) return;
    event.preventDefault();
    onSelect(next);
    document.getElementById(tabId(next))?.focus();
  };
  return (
    <div class="tabbar" role="tablist" aria-label={t('tabs.label')} onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const selected = tab === active;
        const badge = tab === 'chat' && !selected && unread > 0;
        return (
          <button
            key={tab}
            id={tabId(tab)}
            type="button"
            role="tab"
            class={`tab ${selected ? 'tab-active' : ''}`}
            aria-selected={selected}
            aria-controls={PANEL_ID}
            aria-label={
              badge
                ? t('tab.unread', { tab: t(TAB_LABELS[tab]), count: unread })
                : t(TAB_LABELS[tab])
            }
            tabIndex={selected ? 0 : -1}
            onClick={() => onSelect(tab)}
          >
            <Icon name={TAB_ICONS[tab]} size={17} />
            <span class="tab-label">{t(TAB_LABELS[tab])}</span>

            {badge && (
              <span class="count-badge" data-unread={unread} aria-hidden="true">
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
