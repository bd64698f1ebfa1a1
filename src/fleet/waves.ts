// Which wave each target belongs to: the canary (wave 0) first and alone, then the rest in waves
// whose sizes are cumulative shares of the rest (--waves 10%,50%,100%: a tenth, then up to half,
// then all), each wave starting when the one before has finished.
import { UserError } from '../errors.js';

/** --waves "10%,50%,100%" as increasing shares ending at 100. */
export function parseWaves(text: string | undefined): number[] {
  if (text === undefined) return [100];
  const parts = text.split(',').map((p) => p.trim());
  const shares = parts.map((p) => (/^\d+(\.\d+)?%?$/.test(p) ? Number(p.replace('%', '')) : Number.NaN));
  const increasing = shares.every((s, i) => s > 0 && s <= 100 && (i === 0 || s > shares[i - 1]!));
  if (!shares.length || shares.some(Number.isNaN) || !increasing || shares[shares.length - 1] !== 100)
    throw new UserError(
      `--waves "${text}" is not a list of increasing percentages ending at 100%: write it as 10%,50%,100%.`,
      'bad-input',
    );
  return shares;
}

/** The wave of each of `count` targets, in list order. */
export function assignWaves(count: number, canary: number, shares: number[]): number[] {
  const first = Math.min(canary, count);
  const rest = count - first;
  const waves: number[] = Array.from({ length: first }, () => 0);
  let done = 0;
  shares.forEach((share, i) => {
    const upTo = Math.min(rest, Math.max(done, Math.ceil((rest * share) / 100)));
    for (; done < upTo; done++) waves.push(i + 1);
  });
  return waves;
}
