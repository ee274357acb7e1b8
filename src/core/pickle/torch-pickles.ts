/**
 * Where pickles sit inside PyTorch files (THREATS.md §E.2), and scanning them. The zip reader is not
 * here: callers hand over member names and bytes.
 *   - zip (torch ≥ 1.6, TorchScript): `<root>/data.pkl`, `constants.pkl`, older TorchScript `attribute.pkl`
 *     (any member ending `.pkl` is scanned — picklescan does the same);
 *   - legacy stream (torch < 1.6): magic, protocol, sys_info, object and storage-key pickles, then raw
 *     storage bytes — so only the first five pickles are read.
 */
import { type PickleScan, type PickleScanOptions, scanPickle } from './scan';

/** pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) without its STOP: the legacy torch.save magic. */
export const TORCH_LEGACY_MAGIC = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19);

/** torch.save's legacy layout holds five pickles before the raw storages. */
export const TORCH_LEGACY_PICKLES = 5;

export interface ZipMemberBytes {
  name: string;
  bytes: Uint8Array;
}

export interface TorchMemberScan {
  name: string;
  scan: PickleScan;
}

/** True for zip members that hold a pickle in PyTorch / TorchScript archives. */
export function isTorchPickleMember(name: string): boolean {
  return name.toLowerCase().endsWith('.pkl');
}

/** Scans every pickle member of a PyTorch zip. Never throws. */
export function scanTorchZipMembers(members: readonly ZipMemberBytes[], options: PickleScanOptions = {}): TorchMemberScan[] {
  return members.filter((m) => isTorchPickleMember(m.name)).map((m) => ({ name: m.name, scan: scanPickle(m.bytes, options) }));
}

export function hasLegacyTorchMagic(bytes: Uint8Array): boolean {
  if (bytes.length < TORCH_LEGACY_MAGIC.length) return false;
  for (let i = 0; i < TORCH_LEGACY_MAGIC.length; i++) if (bytes[i] !== TORCH_LEGACY_MAGIC[i]) return false;
  return true;
}

export interface LegacyTorchScan extends PickleScan {
  /** The stream starts with the standard magic pickle (a crafted file may not, and torch may still load it). */
  legacyMagic: boolean;
}

/** Scans the pickles of a legacy (non-zip) torch.save stream. Never throws. */
export function scanLegacyTorchStream(bytes: Uint8Array, options: PickleScanOptions = {}): LegacyTorchScan {
  const scan = scanPickle(bytes, { ...options, maxPickles: options.maxPickles ?? TORCH_LEGACY_PICKLES });
  return { ...scan, legacyMagic: hasLegacyTorchMagic(bytes) };
}
