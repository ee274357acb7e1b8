/**
 * `npm run build:single`: the whole app as ONE self-contained HTML file, dist-single/lambdalens.html, that works
 * from file:// (e-mail it, keep it on a USB stick, open it on an air-gapped machine).
 * - the scan worker is a classic (IIFE) worker inlined as a blob: URL (create-worker-inline.ts swapped in for
 *   create-worker.ts), since a worker script cannot be loaded from a file:// URL;
 * - the page script and CSS are inlined; h5wasm already embeds its wasm;
 * - the CSP allows exactly those inline blocks by sha256 hash (no 'self', which means nothing useful on file://),
 *   keeps 'wasm-unsafe-eval' for h5wasm and never 'unsafe-eval' / 'unsafe-inline';
 * - no service worker (file:// has none) and no samples (fetch cannot read file:// URLs).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = path.dirname(fileURLToPath(import.meta.url));
const INLINE_WORKER_FACTORY = path.join(root, 'src/worker/create-worker-inline.ts');
export const SINGLE_FILE_NAME = 'lambdalens.html';

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function singleFilePolicy(scriptHashes: string[], styleHashes: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ')} 'wasm-unsafe-eval'`,
    `style-src ${styleHashes.join(' ')}`,
    'img-src data: blob:',
    'worker-src blob:',
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Text placed inside <script> must not close the element or open an HTML comment there. */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function styleSafe(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

/** Moves the entry chunk and the CSS into index.html, adds the hash-based CSP, renames it lambdalens.html. */
function inlineIntoHtml(): Plugin {
  return {
    name: 'lambdalens:single-file',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const htmlAsset = bundle['index.html'];
      if (!htmlAsset || htmlAsset.type !== 'asset') throw new Error('single-file build: no index.html in the bundle');
      let html = String(htmlAsset.source);
      const scripts: string[] = [];
      const styles: string[] = [];
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type === 'chunk') {
          if (!output.isEntry) throw new Error(`single-file build: unexpected extra chunk ${fileName}`);
          scripts.push(scriptSafe(output.code));
          delete bundle[fileName];
        } else if (fileName.endsWith('.css')) {
          styles.push(styleSafe(String(output.source)));
          delete bundle[fileName];
        }
      }
      if (scripts.length !== 1) throw new Error(`single-file build: expected one script, got ${scripts.length}`);
      // Drop the external references Vite wrote, then add the inline blocks.
      html = html
        .replace(/\s*<script\b[^>]*\bsrc="[^"]*"[^>]*><\/script>/g, '')
        .replace(/\s*<link\b[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*>/g, '');
      const csp = singleFilePolicy(scripts.map(sha256Source), styles.map(sha256Source));
      // Function replacers: the code holds `$'`, `$&` … which a replacement string would expand.
      html = html.replace(/<head>/, () => `<head>\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
      const styleTags = styles.map((css) => `<style>${css}</style>`).join('\n');
      html = html.replace('</head>', () => `${styleTags}\n</head>`);
      // A module script runs after parsing, like the external one did; inline module scripts work from file://.
      html = html.replace('</body>', () => `<script type="module">${scripts[0]}</script>\n</body>`);
      for (const rest of Object.keys(bundle)) {
        if (rest !== 'index.html') throw new Error(`single-file build: unexpected extra file ${rest}`);
      }
      delete bundle['index.html'];
      this.emitFile({ type: 'asset', fileName: SINGLE_FILE_NAME, source: html });
    },
  };
}

export default defineConfig({
  base: './',
  mode: 'single',
  publicDir: false,
  plugins: [react(), inlineIntoHtml()],
  resolve: {
    alias: [{ find: /^.*\/worker\/create-worker$/, replacement: INLINE_WORKER_FACTORY }],
  },
  worker: { format: 'iife' },
  build: {
    outDir: 'dist-single',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: () => true,
    cssCodeSplit: false,
    modulePreload: false,
    chunkSizeWarningLimit: 20000,
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
