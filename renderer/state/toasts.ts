/** Toasts: short notices the store keeps (the last few), and the node's reasons in words. */
import type { Text } from '../i18n/catalog.js';
import type { AppState, ToastKind } from './types.js';

export const MAX_TOASTS = 4;

function sameText(a: Text, b: Text): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function addToast(state: AppState, kind: ToastKind, title: Text, message: Text): AppState {
  const last = state.toasts.at(-1);
  if (
    last &&
    sameText(last.title, title) &&
    sameText(last.message, message) &&
    last.kind === kind
  ) {
    return state;
  }
  const toast = { id: state.nextToastId, kind, title, message };
  return {
    ...state,
    nextToastId: state.nextToastId + 1,
    toasts: [...state.toasts, toast].slice(-MAX_TOASTS),
  };
}
