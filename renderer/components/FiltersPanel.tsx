import type { JSX } from 'preact';
import { MAX_FILTERS, moveEarlier, toggleFilter } from '../lib/filter-chain.js';
import { useStore } from '../state/store.js';
import { Icon } from './Icon.js';
import { SelfTile } from './Stage.js';

export function FiltersPanel({ showPreview }: { showPreview: boolean }): JSX.Element {
  const { state, send } = useStore();
  const chain = state.media?.filters ?? [];
  const labelOf = (name: string): string =>
    state.filters.find((filter) => filter.name === name)?.label ?? name;
  const apply = (filters: string[]): void => send({ cmd: 'set-filters', filters });

  return (
    <div class="panel-body filters">
      <div class="panel-intro">
        <h2 class="panel-title">Filters</h2>
        <p class="muted small">
          Applied on this computer, in order, before your video leaves it. Your tile shows what
          others see.
        </p>
      </div>
      {showPreview && (
        <div class="filters-preview">
          <SelfTile compact />
        </div>
      )}
      <div class="chain" aria-live="polite">
        <div class="chain-header">
          <h3 class="section-title">In use</h3>
          {chain.length > 0 && (
            <button type="button" class="link-button" onClick={() => apply([])}>
              Clear all
            </button>
          )}
        </div>
        {chain.length === 0 ? (
          <p class="muted small">None: your video is sent as captured.</p>
        ) : (
          <ol class="chain-list" aria-label="Filters in order">
            {chain.map((name, index) => (
              <li key={name} class="chain-item">
                <span class="chain-index">{index + 1}</span>
                <span class="chain-name">{labelOf(name)}</span>
                {index > 0 && (
                  <button
                    type="button"
                    class="icon-button icon-button-small"
                    aria-label={`Apply ${labelOf(name)} earlier`}
                    title="Earlier"
                    onClick={() => apply(moveEarlier(chain, name))}
                  >
                    <Icon name="chevron-left" size={14} />
                  </button>
                )}
                <button
                  type="button"
                  class="icon-button icon-button-small"
                  aria-label={`Remove ${labelOf(name)}`}
                  title="Remove"
                  onClick={() => apply(toggleFilter(chain, name))}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            ))}
          </ol>
        )}
      </div>
      <div class="chips" role="group" aria-label="Available filters">
        {state.filters.length === 0 && <p class="muted small">Loading filters…</p>}
        {state.filters.map((filter) => {
          const position = chain.indexOf(filter.name);
          const active = position !== -1;
          return (
            <button
              key={filter.name}
              type="button"
              class={`chip ${active ? 'chip-active' : ''}`}
              data-filter={filter.name}
              aria-pressed={active}
              aria-label={`${filter.label}: ${filter.description}${active ? `, applied ${position + 1} of ${chain.length}` : ''}`}
              title={filter.description}
              disabled={!active && chain.length >= MAX_FILTERS}
              onClick={() => apply(toggleFilter(chain, filter.name))}
            >
              {active && <span class="chip-order">{position + 1}</span>}
              {filter.label}
            </button>
          );
        })}
      </div>
    </div>
  );
}
