// The page's and the CLI's one line on what a URL inspection read, and the fragment after other input.
import { describe, expect, it } from 'vitest';
import { describeRemoteRead } from '../../../src/core/remote/describe';
import { fragmentWithoutUrl } from '../../../src/ui/OpenUrl';

describe('describeRemoteRead', () => {
  it('says how much of how much, in how many requests', () => {
    expect(describeRemoteRead({ url: 'https://x/m.keras', bytesRead: 197_000, requests: 18, networkMs: 190 }, 2_100_000_000)).toBe(
      'read 197 KB of 2.1 GB in 18 requests (0.19 s on the network)',
    );
  });

  it('a small file whose two opening ranges overlapped is the whole file, plus what was transferred', () => {
    const text = describeRemoteRead({ url: 'https://x/m.keras', bytesRead: 35_622, requests: 2, networkMs: 60 }, 17_811);
    expect(text).toBe('read 18 KB of 18 KB in 2 requests (0.06 s on the network, 36 KB transferred: the ranges overlapped)');
  });
});

describe('fragmentWithoutUrl', () => {
  it('drops url= and keeps the rest', () => {
    expect(fragmentWithoutUrl('#url=https%3A%2F%2Fx%2Fm.h5')).toBe('');
    expect(fragmentWithoutUrl('#url=https%3A%2F%2Fx%2Fm.h5&layer=a%2Fb')).toBe('#layer=a%2Fb');
    expect(fragmentWithoutUrl('#report=abc')).toBe('#report=abc');
  });
});
