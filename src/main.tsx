import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { registerServiceWorkerWhenQuiet } from './ui/offline';
import './ui/styles.css';
import './ui/workspace.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

/**
 * Offline use (public/sw.js caches the app shell): production builds on http(s) only — not in dev (it would cache
 * stale modules), not in the single-file build (file:// has no service workers). Registered when the page is quiet
 * (src/ui/offline.ts), so filling its cache never competes with a scan.
 */
if (
  import.meta.env.PROD &&
  import.meta.env.MODE !== 'single' &&
  (location.protocol === 'https:' || location.protocol === 'http:') &&
  'serviceWorker' in navigator
) {
  registerServiceWorkerWhenQuiet(() => {
    navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {
      // Offline support is an extra; the page works the same without it.
    });
  });
}
