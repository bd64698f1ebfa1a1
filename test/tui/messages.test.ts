// What the console's message line says of a run's events.
import { describe, expect, test } from 'vitest';
import { eventMessage } from '../../src/tui/feeds.js';

const retry = {
  type: 'retry' as const,
  at: '2025-12-04T02:00:04.000Z',
  name: 'm1',
  index: 190,
  attempt: 7,
  blockingPids: [42],
};

describe('the message line during a run', () => {
  test('a retry says its attempt, of how many when counted, and why in words', () => {
    expect(eventMessage({ ...retry, of: 10, reason: 'lock-timeout' })?.text).toBe(
      'm1: statement 190 retried (7 of 10) after a lock timeout, blocked by pid 42',
    );
    expect(eventMessage({ ...retry, of: null, reason: 'lock-timeout' })?.text).toBe(
      'm1: statement 190 retried (7) after a lock timeout, blocked by pid 42',
    );
    expect(eventMessage({ ...retry, attempt: 3, of: 3, reason: 'victims', blockingPids: [] })?.text).toBe(
      'm1: statement 190 retried (3 of 3) after giving way to queued sessions',
    );
  });
});
