/**
 * Offline use: the service worker (public/sw.js) caches the app shell, so after one visit the page works without
 * a network. Filling that cache downloads every asset once more, which slowed a scan running at the same time
 * (measured: +150–250 ms of main-thread long tasks on a small model). So it is registered only when the page is
 * quiet: no scan running and nothing scanned for a moment — soon after load for someone still choosing a file,
 * after the first verdict and graph for someone who dropped a file at once.
 */
const QUIET_MS = 1500;

let lastActivity = 0;
let running = 0;
let registered = false;

/** Called by the scanner: a scan started (+1) or ended (−1). */
export function noteScanActivity(delta: 1 | -1 | 0): void {
  running = Math.max(0, running + delta);
  lastActivity = performance.now();
}

export function registerServiceWorkerWhenQuiet(register: () => void): void {
  const tick = () => {
    if (registered) return;
    if (running > 0 || performance.now() - lastActivity < QUIET_MS) {
      setTimeout(tick, 500);
      return;
    }
    registered = true;
    register();
  };
  const idle = (cb: () => void) => ('requestIdleCallback' in window ? window.requestIdleCallback(cb, { timeout: 5_000 }) : setTimeout(cb, 0));
  window.addEventListener('load', () => setTimeout(() => idle(tick), 500), { once: true });
}
