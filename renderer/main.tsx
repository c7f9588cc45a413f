// First, before any module builds a zod schema: the page's CSP forbids eval (zod-config.ts).
import './transport/zod-config.js';
import { render } from 'preact';
import { App } from './components/App.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { forgetUrlToken, pickTransport } from './transport/pick.js';

forgetUrlToken(window);
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(
    <ErrorBoundary>
      <App transport={pickTransport(window)} />
    </ErrorBoundary>,
    root,
  );
}
