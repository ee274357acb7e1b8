/**
 * "Open from URL": inspects a model where it is hosted (an https address, a Hugging Face repository page or
 * hf://owner/repo). Nothing is fetched until the user submits an address (or opens a `#url=` link, which is the
 * same as typing it): the Hub listing from this page, the file's bytes by range requests from the worker, GET
 * only, no credentials, no referrer.
 */
import { useEffect, useState } from 'react';
import { describeError } from '../core/errors';
import { listHfModelFiles, parseHfTarget } from '../core/remote/hf';

export interface UrlTarget {
  url: string;
  name: string;
  size?: number;
}

/** Addresses a user gave, resolved to files: a Hub repository to its model files, anything else as it is. */
export async function resolveTargets(text: string): Promise<UrlTarget[]> {
  const hf = parseHfTarget(text);
  if (hf?.kind === 'repo') {
    const listing = await listHfModelFiles(hf.ref);
    if (listing.files.length === 0) throw new Error(`no model files among the ${listing.otherFiles} file(s) of ${hf.ref.repo}`);
    return listing.files.map((f) => ({ url: f.url, name: `hf://${hf.ref.repo}@${hf.ref.revision}/${f.path}`, size: f.size }));
  }
  const url = hf?.kind === 'file' ? hf.url : text.trim();
  if (!/^https:\/\//i.test(url)) throw new Error('enter an https:// address, a Hugging Face repository page, or hf://owner/repo');
  return [{ url, name: decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? url) }];
}

/** The fragment without its `url=` entry (the page no longer shows that address's inspection). */
export function fragmentWithoutUrl(hash: string): string {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const kept = text.split('&').filter((part) => part !== '' && !part.startsWith('url='));
  return kept.length ? `#${kept.join('&')}` : '';
}

/**
 * A `#url=` link is opened once per page load. The form is unmounted when files are shown and mounted again after
 * Clear: without this, Clear (or any return to the empty page) would fetch the address again unasked.
 */
let fragmentOpened = false;

/** The `url=` entry of the page's fragment, if any. */
export function urlFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('url');
}

export function OpenUrl({ onTargets, onWarnings }: { onTargets(targets: UrlTarget[]): void; onWarnings(warnings: string[]): void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  const open = (address: string) => {
    setBusy(true);
    resolveTargets(address).then(
      (targets) => {
        setBusy(false);
        // The address goes in the fragment (never sent to a server), so the link re-inspects the hosted file.
        history.replaceState(null, '', `#url=${encodeURIComponent(address.trim())}`);
        onTargets(targets);
      },
      (e: unknown) => {
        setBusy(false);
        onWarnings([`Could not open ${address}: ${describeError(e).message}`]);
      },
    );
  };

  useEffect(() => {
    if (fragmentOpened) return;
    fragmentOpened = true;
    const fromLink = urlFromFragment(location.hash);
    if (fromLink) {
      setText(fromLink);
      open(fromLink);
    }
    // Once, on load: a #url= link is an address the user chose to open.
  }, []);

  return (
    <form
      className="open-url"
      data-testid="open-url"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) open(text);
      }}
    >
      <label htmlFor="open-url-input">Open from URL</label>
      <input
        id="open-url-input"
        type="url"
        inputMode="url"
        placeholder="https://…/model.keras or hf://owner/repo"
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Listing…' : 'Inspect'}
      </button>
      <p className="open-url-note">
        Reads only the parts the inspection needs with range requests (GET, no cookies, no referrer); the server must allow
        range requests and cross-origin reads.
      </p>
    </form>
  );
}
