import type { JSX } from 'preact';
import type { FilterInfo } from '../state/types.js';
import type { MessageId, MessageValues } from '../i18n/catalog.js';
import { isMessageId } from '../i18n/catalog.js';
import { useT } from '../i18n/context.js';
import { MAX_FILTERS, moveEarlier, toggleFilter } from '../lib/filter-chain.js';
import { useStore } from '../state/store.js';
import { Icon } from './Icon.js';
import { SelfTile } from './Stage.js';

/**
 * A filter's name and description in the interface's language; the node's English words for
 * a filter this interface does not know yet.
 */
function filterWords(
  t: (id: MessageId, values?: MessageValues) => string,
  filter: FilterInfo,
): { label: string; description: string } {
  const label = `filter.${filter.name}`;
  const description = `filter.${filter.name}.description`;
  return {
    label: isMessageId(label) ? t(label) : filter.label,
    description: isMessageId(description) ? t(description) : filter.description,
  };
}

export function FiltersPanel({ showPreview }: { showPreview: boolean }): JSX.Element {
  const { state, send } = useStore();
  const t = useT();
  const chain = state.media?.filters ?? [];
  const labelOf = (name: string): string => {
    const filter = state.filters.find((entry) => entry.name === name);
    return filter ? filterWords(t, filter).label : name;
  };
  const apply = (filters: string[]): void => send({ cmd: 'set-filters', filters });

  return (
    <div class="panel-body filters">
      <div class="panel-intro">
        <h2 class="panel-title">{t('filters.title')}</h2>
        <p class="muted small">{t('filters.intro')}</p>
      </div>
      {showPreview && (
        <div class="filters-preview">
          <SelfTile compact />
        </div>
      )}
      <div class="chain" aria-live="polite">
        <div class="chain-header">
          <h3 class="section-title">{t('filters.inUse')}</h3>
          {chain.length > 0 && (
            <button type="button" class="link-button" onClick={() => apply([])}>
              {t('filters.clear')}
            </button>
          )}
        </div>
        {chain.length === 0 ? (
          <p class="muted small">{t('filters.none')}</p>
        ) : (
          <ol class="chain-list" aria-label={t('filters.order')}>
            {chain.map((name, index) => (
              <li key={name} class="chain-item">
                <span class="chain-index">{index + 1}</span>
                <span class="chain-name">{labelOf(name)}</span>
                {index > 0 && (
                  <button
                    type="button"
                    class="icon-button icon-button-small"
                    aria-label={t('filters.earlier.label', { filter: labelOf(name) })}
                    title={t('filters.earlier')}
                    onClick={() => apply(moveEarlier(chain, name))}
                  >
                    <Icon name="chevron-left" size={14} />
                  </button>
                )}
                <button
                  type="button"
                  class="icon-button icon-button-small"
                  aria-label={t('filters.remove.label', { filter: labelOf(name) })}
                  title={t('filters.remove')}
                  onClick={() => apply(toggleFilter(chain, name))}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            ))}
          </ol>
        )}
      </div>
      <div class="chips" role="group" aria-label={t('filters.available')}>
        {state.filters.length === 0 && <p class="muted small">{t('filters.loading')}</p>}
        {state.filters.map((filter) => {
          const position = chain.indexOf(filter.name);
          const active = position !== -1;
          const words = filterWords(t, filter);
          const chip = t('filters.chip', { filter: words.label, description: words.description });
          return (
            <button
              key={filter.name}
              type="button"
              class={`chip ${active ? 'chip-active' : ''}`}
              data-filter={filter.name}
              aria-pressed={active}
              aria-label={
                active
                  ? t('filters.chip.applied', {
                      chip,
                      position: position + 1,
                      count: chain.length,
                    })
                  : chip
              }
              title={words.description}
              disabled={!active && chain.length >= MAX_FILTERS}
              onClick={() => apply(toggleFilter(chain, filter.name))}
            >
              {active && <span class="chip-order">{position + 1}</span>}
              {words.label}
            </button>
          );
        })}
      </div>
    </div>
  );
}
