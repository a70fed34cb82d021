import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExpiry, parseRfc3339, subtractCalendar } from './time.ts';

describe('policy times', () => {
  it('parses RFC 3339 as Go does, including the one-digit hour in Calico\'s docs', () => {
    assert.equal(parseRfc3339('2022-01-02T0:00:00Z')?.toISOString(), '2022-01-02T00:00:00.000Z');
    assert.equal(parseRfc3339('2024-02-29T23:59:59.123456789+02:30')?.toISOString(), '2024-02-29T21:29:59.123Z');
    assert.equal(parseRfc3339('2024-06-01t10:00:00-05:00')?.toISOString(), '2024-06-01T15:00:00.000Z');
    for (const bad of ['2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00', '2024-01-01', '2024-13-01T00:00:00Z', 'yesterday', '2024-01-01T00:00:00+24:00']) {
      assert.equal(parseRfc3339(bad), undefined, bad);
    }
  });

  it('reads a date expiry as "through that day" (UTC)', () => {
    assert.equal(parseExpiry('2026-03-31')?.toISOString(), '2026-04-01T00:00:00.000Z');
    assert.equal(parseExpiry('2026-12-31')?.toISOString(), '2027-01-01T00:00:00.000Z');
    assert.equal(parseExpiry('2026-03-31T12:00:00Z')?.toISOString(), '2026-03-31T12:00:00.000Z');
    assert.equal(parseExpiry('2026-02-29'), undefined);
  });

  it('subtracts calendar units with Go AddDate normalisation', () => {
    const now = new Date('2024-03-31T10:20:30.400Z');
    assert.equal(subtractCalendar(now, { years: 0, months: 0, days: 3 }).toISOString(), '2024-03-28T10:20:30.400Z');
    // March 31 minus one month = "February 31" = March 2 in a leap year, as Go normalises.
    assert.equal(subtractCalendar(now, { years: 0, months: 1, days: 0 }).toISOString(), '2024-03-02T10:20:30.400Z');
    assert.equal(subtractCalendar(now, { years: 1, months: 2, days: 31 }).toISOString(), '2022-12-31T10:20:30.400Z');
  });
});
