// Random inputs that can be replayed: a small PRNG (mulberry32) seeded from CITADEL_TEST_SEED, else a
// fixed default, and the seed said when the test fails, with how to run it again with that seed.
import { onTestFailed } from 'vitest';

export function seededRandom(defaultSeed = 20261205): { seed: number; next: () => number } {
  const fromEnv = process.env.CITADEL_TEST_SEED;
  const seed = fromEnv ? Number(fromEnv) >>> 0 : defaultSeed;
  onTestFailed(() => {
    console.error(`random inputs of this test: seed ${seed} (run again with CITADEL_TEST_SEED=${seed})`);
  });
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next };
}
