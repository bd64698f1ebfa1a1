import { useEffect, useState } from 'react';

/**
 * The header clock, to the minute: a clock to the second redrew the whole screen every second, which
 * was most of an idle console's CPU and of its bytes over SSH. Aligned to the minute so it does not drift.
 */
export function useClock(enabled = true): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!enabled) return;
    let timer: NodeJS.Timeout;
    const tick = () => {
      setNow(new Date());
      timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 5);
    };
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 5);
    return () => clearTimeout(timer);
  }, [enabled]);
  return now;
}
