import { useEffect, useState } from 'react';

/**
 * Cycles through `count` pages every `intervalMs`. A wall never scrolls and is never touched, so a long table turns
 * its pages by itself; the page number is always shown beside it.
 */
export function usePager(count: number, intervalMs = 12_000): number {
  const [page, setPage] = useState(0);
  useEffect(() => {
    setPage(0);
    if (count <= 1) return;
    const id = setInterval(() => setPage((p) => (p + 1) % count), intervalMs);
    return () => clearInterval(id);
  }, [count, intervalMs]);
  return Math.min(page, Math.max(0, count - 1));
}
