// Bundles the CLI (src/cli/main.ts and the core it imports) into dist-cli/lambdalens.mjs.
// Run by `npm install` (prepare) so `node bin/lambdalens.mjs` works straight from a clone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleForNode, root } from './bundle-node.mjs';

const entry = path.join(root, 'src/cli/main.ts');
if (existsSync(entry)) await bundleForNode(entry, path.join(root, 'dist-cli/lambdalens.mjs'));
