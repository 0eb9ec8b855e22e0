import { useEffect, useState } from 'react';

/**
 * True once `waiting` has stayed true for `ms`: a wait is shown (dimmed rows, dimmed counts) only
 * when it is long enough to notice. A quick answer then paints nothing in between — no dimming,
 * no fade started and stopped (an opacity fade gives the element a compositing layer of its own,
 * painted in full, on the frames a keystroke's results wait for).
 */
export function useLate(waiting: boolean, ms = 150): boolean {
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (!waiting) return setLate(false);
    const timer = window.setTimeout(() => setLate(true), ms);
    return () => window.clearTimeout(timer);
  }, [waiting, ms]);
  return waiting && late;
}
