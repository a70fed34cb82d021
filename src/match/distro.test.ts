import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfLife, isEndOfLife, osEcosystemKey } from './distro.ts';

describe('distribution releases', () => {
  it('names the key advisories are filed under', () => {
    const cases: [Parameters<typeof osEcosystemKey>[0], string | undefined][] = [
      [{ family: 'debian', version: '12.5' }, 'debian:12'],
      [{ family: 'debian', version: 'trixie/sid' }, 'debian:13'],
      [{ family: 'debian', version: '', codename: 'bookworm' }, 'debian:12'],
      [{ family: 'ubuntu', version: '22.04' }, 'ubuntu:22.04'],
      [{ family: 'ubuntu', version: '', codename: 'noble' }, 'ubuntu:24.04'],
      [{ family: 'alpine', version: '3.20.3' }, 'alpine:3.20'],
      [{ family: 'alma', version: '8.9' }, 'alma:8'],
      [{ family: 'sles', version: '15.5' }, 'sles:15.5'],
      [{ family: 'wolfi', version: '20230201' }, 'wolfi'],
      [{ family: 'debian', version: 'sid' }, undefined],
    ];
    for (const [os, key] of cases) assert.equal(osEcosystemKey(os), key, JSON.stringify(os));
  });

  it('knows when a release stopped getting security fixes', () => {
    assert.equal(endOfLife({ family: 'debian', version: '10.13' }), '2024-06-30');
    assert.equal(isEndOfLife({ family: 'debian', version: '10.13' }, new Date('2024-06-30T12:00:00Z')), false);
    assert.equal(isEndOfLife({ family: 'debian', version: '10.13' }, new Date('2024-07-01T00:00:01Z')), true);
    assert.equal(isEndOfLife({ family: 'wolfi', version: '20230201' }, new Date()), false);
  });
});
