/*
 * Lambda Lens service worker: offline use after one visit. It caches the app shell only, the files listed in
 * sw-manifest.js (written by the build: index.html, JS, CSS, wasm, the built-in samples). It never stores
 * anything else: dropped model files are never fetched at all (they are read from the File in the worker), and
 * requests for any URL outside the list go to the network untouched and are not cached.
 */
/* global self, caches, importScripts */
importScripts('./sw-manifest.js');

const MANIFEST = self.LAMBDALENS_PRECACHE || { version: 'none', files: [] };
const PREFIX = 'lambdalens-shell-';
const CACHE = PREFIX + MANIFEST.version;
const SCOPE = new URL('./', self.location.href);
const SHELL = new Set(MANIFEST.files.map((file) => new URL(file, SCOPE).href));
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...SHELL].map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  if (request.mode === 'navigate') {
    // The page itself: the network first (fresh deploys), the cached shell when offline.
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match(INDEX)).then((hit) => hit || Response.error())),
    );
    return;
  }
  const key = url.origin + url.pathname;
  if (!SHELL.has(key)) return;
  // Hashed assets and samples: the cache first.
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(key))
      .then((hit) => hit || fetch(request)),
  );
});
