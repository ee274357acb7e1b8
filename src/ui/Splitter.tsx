/** A vertical splitter between two panels: drag with the pointer, or focus and use the arrow keys. */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export function Splitter({
  label,
  value,
  min,
  max,
  /** +1: dragging right grows the panel (left panel); −1: dragging right shrinks it (right panel). */
  direction,
  onChange,
  onCommit,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  direction: 1 | -1;
  onChange(value: number): void;
  onCommit(value: number): void;
}) {
  const drag = useRef<{ x: number; start: number; last: number } | null>(null);
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, start: value, last: value };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    d.last = Math.min(max, Math.max(min, d.start + direction * (event.clientX - d.x)));
    onChange(d.last);
  };
  const onPointerUp = () => {
    if (drag.current) onCommit(drag.current.last);
    drag.current = null;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 80 : 20;
    const delta = event.key === 'ArrowLeft' ? -step : event.key === 'ArrowRight' ? step : 0;
    if (!delta) return;
    event.preventDefault();
    onCommit(Math.min(max, Math.max(min, value + direction * delta)));
  };
  return (
    <div
      className="ws-splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
