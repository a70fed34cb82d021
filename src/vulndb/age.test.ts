import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbAge, dbAgeWarning, dbPath, DEFAULT_DB_MAX_AGE, defaultDbPath, parseDuration, parseSize } from './index.ts';

describe('database age', () => {
  const info = { builtAt: '2026-11-20T06:00:00.000Z' };
  const at = (iso: string) => new Date(iso);

  it('measures the age from the build time', () => {
    assert.deepEqual(dbAge(info, at('2026-11-20T09:30:00Z')), { builtAt: at(info.builtAt), ms: 3.5 * 3_600_000, text: '3.5 hours' });
    assert.equal(dbAge(info, at('2026-11-26T06:00:00Z')).text, '6.0 days');
    assert.equal(dbAge(info, at('2026-11-20T06:20:00Z')).text, '20 minutes');
    assert.equal(dbAge(info, at('2026-11-20T05:00:00Z')).text, '1.0 hours in the future');
    assert.deepEqual(dbAge({ builtAt: '' }, at('2026-11-20T05:00:00Z')), { text: 'unknown' });
    assert.deepEqual(dbAge({ builtAt: 'yesterday' }), { text: 'unknown' });
  });

  it('warns only past the maximum age; 0 turns the warning off', () => {
    const max = parseDuration(DEFAULT_DB_MAX_AGE);
    assert.equal(max, 120 * 3_600_000);
    assert.equal(dbAgeWarning(info, max, at('2026-11-25T06:00:00Z')), undefined); // exactly 120 h
    assert.equal(dbAgeWarning(info, max, at('2026-11-26T06:00:00Z')),
      'vulnerability database built 2026-11-20T06:00:00.000Z is 6.0 days old (older than --db-max-age 5.0 days); update it with "portcullis db update"');
    assert.equal(dbAgeWarning(info, 0, at('2030-01-01T00:00:00Z')), undefined);
    assert.match(dbAgeWarning({ builtAt: '' }, max)!, /no readable build time/);
  });

  it('parses durations and sizes as the flags take them', () => {
    assert.equal(parseDuration('36h'), 36 * 3_600_000);
    assert.equal(parseDuration('5d'), 5 * 86_400_000);
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    assert.equal(parseDuration('24'), 24 * 3_600_000); // plain number: hours
    assert.equal(parseDuration('30', 's'), 30_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['', 'h', '5 days', '-1h', '1y']) assert.throws(() => parseDuration(bad), { code: 'BAD_DURATION' });
    assert.equal(parseSize('4G'), 4 * 1024 ** 3);
    assert.equal(parseSize('500M'), 500 * 1024 ** 2);
    assert.equal(parseSize('1.5KiB'), 1536);
    assert.equal(parseSize('1024'), 1024);
    for (const bad of ['0', 'lots', '5X', '']) assert.throws(() => parseSize(bad), { code: 'BAD_SIZE' });
  });
});

describe('database location', () => {
  it('is --db, else $PORTCULLIS_DB, else under $XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(dbPath('/x/flag.db', { PORTCULLIS_DB: '/x/env.db' }), '/x/flag.db');
    assert.equal(dbPath(undefined, { PORTCULLIS_DB: '/x/env.db', XDG_CACHE_HOME: '/c' }), '/x/env.db');
    assert.equal(defaultDbPath({ XDG_CACHE_HOME: '/c', HOME: '/home/u' }), '/c/portcullis/db/portcullis.db');
    assert.equal(defaultDbPath({ HOME: '/home/u' }), '/home/u/.cache/portcullis/db/portcullis.db');
    // A relative XDG_CACHE_HOME is invalid (XDG base directory spec) and ignored.
    assert.equal(defaultDbPath({ XDG_CACHE_HOME: 'rel', HOME: '/home/u' }), '/home/u/.cache/portcullis/db/portcullis.db');
  });
});
