/**
 * Times in policy files: RFC 3339 timestamps (Calico writes the layout as Go's
 * "2006-01-02T15:04:05Z07:00"), plain dates for exception expiry, and calendar durations.
 */

// Go's RFC 3339 parser accepts a one-digit hour, and Calico's own docs write "2022-01-02T0:00:00Z".
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{1,2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Parse an RFC 3339 timestamp; undefined if it is not one (or names a day that does not exist). */
export function parseRfc3339(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMinutes * 60_000;
  return new Date(t);
}

/**
 * An expiry: an RFC 3339 time is the instant it stops applying; a date `YYYY-MM-DD` means
 * "through that day", so it stops applying at the next midnight UTC.
 */
export function parseExpiry(s: string): Date | undefined {
  const m = DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDate(y, mo, d) ? new Date(Date.UTC(y, mo - 1, d + 1)) : undefined;
  }
  return parseRfc3339(s);
}

/**
 * `now` moved back by years, months and days on the UTC calendar, normalising overflow the way
 * Go's time.AddDate does (March 31 minus one month is March 3 or 2, not February 31).
 */
export function subtractCalendar(now: Date, d: { years: number; months: number; days: number }): Date {
  return new Date(Date.UTC(
    now.getUTCFullYear() - d.years,
    now.getUTCMonth() - d.months,
    now.getUTCDate() - d.days,
    now.getUTCHours(),
    now.getUTCMinutes(),
    now.getUTCSeconds(),
    now.getUTCMilliseconds(),
  ));
}
