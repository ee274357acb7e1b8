/** A text file holding a base64-wrapped model (as pasted into tickets and forums): decode, then detect again. */
import { MemorySource, type ByteSource } from '../io/byte-source';
import { decodeBase64 } from '../keras/payload-bytes';
import type { OpenedModel } from '../keras/model';
import { FormatError, decodeUtf8, type FormatContext, type FormatModule } from './format';

const MAX_BYTES = 256 * 1024 * 1024;
const B64_CHARS = /^[A-Za-z0-9+/=\s]+$/;

export const base64Text: FormatModule<true> = {
  container: 'base64',
  // The wrapped model is opened by its own module, which produces its own facts.
  produces: [],
  async detect(_source, probe) {
    const text = decodeUtf8(probe.head.subarray(0, 1024)).trim();
    return text.length >= 16 && B64_CHARS.test(text) ? true : null;
  },
  async open(source: ByteSource, _detected: true, ctx: FormatContext): Promise<OpenedModel> {
    if (source.size > MAX_BYTES) throw new FormatError('limit', `base64 text of ${source.size} bytes is over the limit`);
    const bytes = decodeBase64(decodeUtf8(await source.read(0, source.size)));
    if (!bytes || bytes.length === 0) throw new FormatError('unrecognised', 'not a recognised model format: text that is not valid base64');
    ctx.progress('decoded base64 text, detecting again');
    const inner = await ctx.openNested(new MemorySource(bytes, `${source.name} (base64-decoded)`));
    return { ...inner, formatDetail: `${inner.formatDetail}, base64-wrapped in a text file` };
  },
};
