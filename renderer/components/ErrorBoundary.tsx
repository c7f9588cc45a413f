import type { ComponentChildren, JSX } from 'preact';
import { Component } from 'preact';
import { useT } from '../i18n/context.js';

interface State {
  message: string | null;
}

/** Whatever breaks in the interface, show a readable message instead of a blank window. */
export class ErrorBoundary extends Component<{ children?: ComponentChildren }, State> {
  override state: State = { message: null };

  static override getDerivedStateFromError(error: unknown): State {
    const message = error instanceof Error ? error.message : String(error);
    // The first line only: never a stack trace. An empty message still shows the card.
    return { message: message.split('\n')[0]?.slice(0, 300) ?? '' };
  }

  override render(): JSX.Element {
    if (this.state.message === null) return <>{this.props.children}</>;
    return (
      <CrashCard message={this.state.message} onContinue={() => this.setState({ message: null })} />
    );
  }
}

/** A function component, so that it reads the language from the context like the rest. */
function CrashCard({
  message,
  onContinue,
}: {
  message: string;
  onContinue: () => void;
}): JSX.Element {
  const t = useT();
  return (
    <div class="crash" role="alert">
      <div class="crash-card">
        <h1>{t('crash.title')}</h1>
        <p>{t('crash.body')}</p>
        <p class="crash-detail">{message || t('crash.unknown')}</p>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onContinue}>
            {t('crash.continue')}
          </button>
          <button
            type="button"
            class="button button-primary"
            onClick={() => window.location.reload()}
          >
            {t('crash.reload')}
          </button>
        </div>
      </div>
    </div>
  );
}
