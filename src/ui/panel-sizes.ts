/**
 * The workspace's panel sizes and collapsed panels, remembered in localStorage (a preference, never file data).
 * Read once; written when a splitter is released or a panel is toggled.
 */
import { useCallback, useState } from 'react';

export interface PanelSizes {
  /** Left panel width (files, findings), px. */
  left: number;
  /** Right panel width (details), px. */
  right: number;
  leftCollapsed: boolean;
  rightCollapsed: boolean;
}

const KEY = 'lambdalens.panels.v1';
/** The graph gets at least half of a 1440×900 window by default. */
export const DEFAULT_SIZES: PanelSizes = { left: 240, right: 360, leftCollapsed: false, rightCollapsed: false };
export const PANEL_LIMITS = { min: 200, max: 900 };

const clamp = (n: number) => Math.min(PANEL_LIMITS.max, Math.max(PANEL_LIMITS.min, Math.round(n)));

function load(): PanelSizes {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<PanelSizes> | null;
    if (!raw || typeof raw !== 'object') return DEFAULT_SIZES;
    return {
      left: typeof raw.left === 'number' ? clamp(raw.left) : DEFAULT_SIZES.left,
      right: typeof raw.right === 'number' ? clamp(raw.right) : DEFAULT_SIZES.right,
      leftCollapsed: raw.leftCollapsed === true,
      rightCollapsed: raw.rightCollapsed === true,
    };
  } catch {
    return DEFAULT_SIZES;
  }
}

export function usePanelSizes(): [PanelSizes, (change: Partial<PanelSizes>, persist?: boolean) => void] {
  const [sizes, setSizes] = useState<PanelSizes>(load);
  const update = useCallback((change: Partial<PanelSizes>, persist = true) => {
    setSizes((current) => {
      const next = { ...current, ...change };
      next.left = clamp(next.left);
      next.right = clamp(next.right);
      if (persist) {
        try {
          localStorage.setItem(KEY, JSON.stringify(next));
        } catch {
          // Storage full or disabled: sizes just are not remembered.
        }
      }
      return next;
    });
  }, []);
  return [sizes, update];
}
