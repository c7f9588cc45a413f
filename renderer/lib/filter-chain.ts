/** The filter chain as the picker edits it: names in the order they are applied. */
export const MAX_FILTERS = 8;

/** Toggling a filter: on appends it to the end of the chain, off removes it. */
export function toggleFilter(chain: readonly string[], name: string): string[] {
  if (chain.includes(name)) return chain.filter((entry) => entry !== name);
  return chain.length >= MAX_FILTERS ? [...chain] : [...chain, name];
}

/** Moves one filter a step earlier in the chain. */
export function moveEarlier(chain: readonly string[], name: string): string[] {
  const index = chain.indexOf(name);
  if (index <= 0) return [...chain];
  const next = [...chain];
  next[index] = next[index - 1] ?? name;
  next[index - 1] = name;
  return next;
}
