import { useEffect, useState } from 'react';
import { useStdout } from 'ink';
import type { Size } from '../layout.js';

/**
 * The terminal's size, following resizes at once. Tests pass a fixed size (ink-testing-library's
 * stdout is always 100 columns wide and has no rows), so layout is an input, not a global.
 */
export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  // The console's ScreenWriter reports a huge `rows` to Ink and the real height as screenRows.
  const read = (): Size => ({
    columns: stdout.columns || 80,
    rows: (stdout as { screenRows?: number }).screenRows ?? (stdout.rows || 24),
  });
  const [size, setSize] = useState<Size>(fixed ?? read());
  // biome-ignore lint/correctness/useExhaustiveDependencies: a fixed size is compared by its numbers, not by its object
  useEffect(() => {
    if (fixed) {
      setSize(fixed);
      return;
    }
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}
