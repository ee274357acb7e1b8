import type { Detection, Rule } from '../rule';

const BAD_NAME = /^\.\.?$|[\\/:]/;
const ZIP_KINDS = {
  'zip-path-traversal': 'Archive member path escapes the folder',
  'zip-symlink': 'Archive member is a symbolic link',
  'zip-tar-asset': 'Tar archive inside assets/',
} as const;

/**
 * R-PATH-NAMES: layer names that are `.`/`..` or contain `/`, `\`, `:` (Keras 3.14.0 joined them into asset paths,
 * CVE-2026-12479), and `.keras` members with `..`, absolute paths, links, or tar files under assets/.
 */
export const pathNames: Rule = {
  id: 'R-PATH-NAMES',
  title: 'Name that can write outside the extraction folder',
  kind: 'path-traversal',
  severity: 'high',
  effect: 'file-write',
  references: ['CVE-2026-12479', 'keras d8caeb58cc'],
  loaders: [
    { loader: 'Keras 3', versions: '3.14.0', when: 'default', note: 'DiskIOStore path join; fixed in 3.15.0 / 3.12.3' },
    { loader: 'Keras 3', versions: '≤ 3.15', when: 'default', note: 'zip / tar extraction hardening continued after 3.15.1' },
  ],
  explanation:
    'Keras builds file paths from layer names and archive member names when it stores a model’s assets in a temporary folder. A name like "..", one with a slash or backslash, an absolute member path or a link makes it write outside that folder — anywhere the user can write.',
  reads: ['zip-path-traversal', 'zip-symlink', 'zip-tar-asset'],
  detect({ facts, family, walked }) {
    const out: Detection[] = [];
    for (const f of [...facts('zip-path-traversal'), ...facts('zip-symlink'), ...facts('zip-tar-asset')]) {
      const label = ZIP_KINDS[f.kind];
      out.push({
        title: `${label}: ${f.where}`,
        severity: f.kind === 'zip-tar-asset' ? 'medium' : 'high',
        document: f.where,
        location: '@0', // the archive entry itself
        evidence: { ...f.detail, fact: f.kind },
      });
    }
    // Layer names only matter where Keras 3 derives asset paths from them (.keras and configs it deserializes).
    const keras3 = family === 'keras-zip' || family === 'json';
    for (const l of walked.layers) {
      if (!BAD_NAME.test(l.name)) continue;
      out.push({
        title: `Layer name ${JSON.stringify(l.name)} is a path`,
        severity: keras3 ? 'high' : 'low',
        document: l.document,
        location: `${l.location}/config/name`,
        layer: l.path,
        slot: 'name',
        evidence: { name: l.name, className: l.className },
      });
    }
    return out;
  },
};
