import type { ComponentChildren, JSX } from 'preact';
import { Component } from 'preact';

interface State {
  message: string | null;
}

/** Whatever breaks in the interface, show a readable message instead of a blank window. */
export class ErrorBoundary extends Component<{ children?: ComponentChildren }, State> {
  override state: State = { message: null };

  static override getDerivedStateFromError(error: unknown): State {
    const message = error instanceof Error ? error.message : String(error);
    // The first line only: never a stack trace.
    return { message: message.split('\n')[0]?.slice(0, 300) || 'Unknown error' };
  }

  override render(): JSX.Element {
    if (this.state.message === null) return <>{this.props.children}</>;
    return (
      <div class="crash" role="alert">
        <div class="crash-card">
          <h1>Something went wrong in the window</h1>
          <p>
            Your call and your connection are handled separately and may still be running. Reloading
            the window brings the interface back.
          </p>
          <p class="crash-detail">{this.state.message}</p>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => this.setState({ message: null })}>
              Try to continue
            </button>
            <button
              type="button"
              class="button button-primary"
              onClick={() => window.location.reload()}
            >
              Reload
            </button>
          </div>
        </div>
      </div>
    );
  }
}
