import type { MessageId } from '../i18n/catalog.js';

export type PanelTab = 'stage' | 'people' | 'chat' | 'nearby' | 'filters' | 'settings';

export const TAB_LABELS: Record<PanelTab, MessageId> = {
  stage: 'tab.stage',
  people: 'tab.people',
  chat: 'tab.chat',
  nearby: 'tab.nearby',
  filters: 'tab.filters',
  settings: 'tab.settings',
};

/**
 * The tabs on offer: the call's panels only in a call (and the chat of a call that ended,
 * until the user closes it); the stage is a tab when narrow.
 */
export function availableTabs(inCall: boolean, narrow: boolean, chatKept = false): PanelTab[] {
  const panels: PanelTab[] = inCall
    ? ['people', 'chat', 'nearby', 'filters', 'settings']
    : chatKept
      ? ['nearby', 'chat', 'filters', 'settings']
      : ['nearby', 'filters', 'settings'];
  return narrow ? ['stage', ...panels] : panels;
}
