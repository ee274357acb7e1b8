import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The page's Content-Security-Policy. No 'unsafe-eval' ('wasm-unsafe-eval' only, for h5wasm), no other origin.
 * Added at build time only: the dev server's React refresh preamble is an inline script.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'lambdalens:csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  // Relative asset URLs: the build works from any sub-path (and later from a single file).
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  worker: {
    // A classic (IIFE) worker: module workers cannot start from file://, classic ones inlined as blob: can.
    format: 'iife',
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // h5wasm embeds its wasm (~4 MB of JS); do not warn about it on every build.
    chunkSizeWarningLimit: 6000,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
