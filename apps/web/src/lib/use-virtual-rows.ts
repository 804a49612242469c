/**
 * Windowing for long lists with a fixed row height: only the rows in view (plus an overscan) are
 * rendered, so a list of 100,000 rows costs as much as one of 30. The caller positions rows at
 * `index * rowHeight` inside a spacer of `count * rowHeight`.
 */
import { useCallback, useLayoutEffect, useRef, useState } from "react";
import type { RefObject } from "react";

export interface VirtualRows {
  start: number;
  end: number;
  onScroll: () => void;
  /** Scrolls the least distance that brings row `index` fully into view. */
  scrollToIndex: (index: number) => void;
}

/** jsdom and hidden containers report a height of 0; assume a typical viewport then. */
const FALLBACK_HEIGHT = 800;

export function useVirtualRows(
  containerRef: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan = 8,
): VirtualRows {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(FALLBACK_HEIGHT);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [containerRef]);

  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setScrollTop(containerRef.current?.scrollTop ?? 0);
    });
  }, [containerRef]);

  const scrollToIndex = useCallback(
    (index: number) => {
      const element = containerRef.current;
      if (!element) return;
      const top = index * rowHeight;
      const viewHeight = element.clientHeight || FALLBACK_HEIGHT;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + rowHeight > element.scrollTop + viewHeight)
        element.scrollTop = top + rowHeight - viewHeight;
      setScrollTop(element.scrollTop);
    },
    [containerRef, rowHeight],
  );

  const first = Math.floor(scrollTop / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(height / rowHeight) + overscan);
  return { start, end, onScroll, scrollToIndex };
}
