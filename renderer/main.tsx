// First, before any module builds a zod schema: the page's CSP forbids eval (zod-config.ts).
import './transport/zod-config.js';
import { render } from 'preact';
import { App } from './components/App.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { I18nProvider } from './i18n/context.js';
import { forgetUrlToken, pickTransport } from './transport/pick.js';

forgetUrlToken(window);
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  // The language wraps the error boundary, so that even the crash card speaks it.
  render(
    <I18nProvider>
      <ErrorBoundary>
        <App transport={pickTransport(window)} />
      </ErrorBoundary>
    </I18nProvider>,
    root,
  );
}
