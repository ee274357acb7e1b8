import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

/**
 * Offline use: the service worker (public/sw.js) caches the app shell only, so after one visit the page works
 * without a network. Production builds on http(s) only: not in dev (it would cache stale modules), not in the
 * single-file build (file:// has no service workers, and that file needs none).
 */
if (
  import.meta.env.PROD &&
  import.meta.env.MODE !== 'single' &&
  (location.protocol === 'https:' || location.protocol === 'http:') &&
  'serviceWorker' in navigator
) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {
      // Offline support is an extra; the page works the same without it.
    });
  });
}
