export type PanelTab = 'stage' | 'people' | 'chat' | 'nearby' | 'filters' | 'settings';

export const TAB_LABELS: Record<PanelTab, string> = {
  stage: 'Video',
  people: 'People',
  chat: 'Chat',
  nearby: 'Nearby',
  filters: 'Filters',
  settings: 'Settings',
};

/** The tabs on offer: the call's panels only in a call; the stage is a tab when narrow. */
export function availableTabs(inCall: boolean, narrow: boolean): PanelTab[] {
  const panels: PanelTab[] = inCall
    ? ['people', 'chat', 'nearby', 'filters', 'settings']
    : ['nearby', 'filters', 'settings'];
  return narrow ? ['stage', ...panels] : panels;
}
