import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alpineRelease, debianRelease, osvEcosystem, packageKey } from './ecosystems.ts';

describe('ecosystem keys', () => {
  it('maps OSV ecosystem strings to the keys the matcher joins on', () => {
    const cases: [string, string | undefined][] = [
      // as in the shared samples
      ['Debian:9', 'debian:9'], ['Alpine:v3.20', 'alpine:3.20'], ['Ubuntu:22.04:LTS', 'ubuntu:22.04'], ['Ubuntu:25.10', 'ubuntu:25.10'],
      ['Ubuntu:Pro:16.04:LTS', 'ubuntu:16.04:pro'], ['AlmaLinux:8', 'alma:8'], ['Rocky Linux:9', 'rocky:9'], ['Chainguard', 'chainguard'],
      ['Wolfi', 'wolfi'], ['npm', 'npm'], ['PyPI', 'pypi'], ['Go', 'go'], ['Maven', 'maven'], ['crates.io', 'cargo'], ['RubyGems', 'gem'],
      ['NuGet', 'nuget'], ['Packagist', 'composer'], ['SwiftURL', 'swift'],
      // as osv.dev publishes other distributions (no samples here)
      ['Red Hat:enterprise_linux:9::appstream', 'redhat:9'], ['Red Hat:enterprise_linux:8::baseos', 'redhat:8'],
      ['Red Hat:rhel_eus:9.2::appstream', 'redhat:9:rhel-eus-9.2'], ['Red Hat:9', 'redhat:9'],
      ['SUSE:Linux Enterprise Server 15 SP5', 'sles:15.5'], ['SUSE:Linux Enterprise Module for Basesystem 15 SP6', 'sles:15.6'],
      ['SUSE:Linux Enterprise Server 12', 'sles:12'], ['SUSE:Linux Enterprise Desktop 15 SP5', 'sles:15.5:desktop'],
      ['SUSE:Linux Enterprise Micro 5.5', 'slem:5.5'], ['openSUSE:Leap 15.5', 'opensuse-leap:15.5'], ['openSUSE:Tumbleweed', 'opensuse-tumbleweed'],
      ['Ubuntu:Pro:FIPS-updates:22.04:LTS', 'ubuntu:22.04:pro-fips-updates'], ['Maven:https://repo.maven.apache.org/maven2/', 'maven'],
      ['Photon OS:5.0', 'photon:5.0'], ['Android', 'android'], ['Linux', 'linux'],
      // an OS without its release matches nothing
      ['Debian', undefined], ['Ubuntu', undefined], ['Ubuntu:Pro', undefined], ['AlmaLinux', undefined],
    ];
    for (const [input, key] of cases) assert.equal(osvEcosystem(input)?.ecosystem, key, input);
    assert.deepEqual(osvEcosystem('Ubuntu:Pro:22.04:LTS'), { ecosystem: 'ubuntu:22.04:pro', family: 'ubuntu', release: '22.04', channel: 'pro', nameKind: 'source' });
    assert.deepEqual(osvEcosystem('npm'), { ecosystem: 'npm', family: 'npm' });
  });

  it('normalises package names where the registry does', () => {
    assert.equal(packageKey('pypi', 'Flask_Cors'), 'flask-cors');
    assert.equal(packageKey('pypi', 'zope.interface'), 'zope-interface');
    assert.equal(packageKey('pypi', 'A__b-.C'), 'a-b-c');
    assert.equal(packageKey('nuget', 'Newtonsoft.Json'), 'newtonsoft.json');
    assert.equal(packageKey('composer', 'Symfony/HTTP-Kernel'), 'symfony/http-kernel');
    assert.equal(packageKey('maven', 'org.apache.logging.log4j:log4j-core'), 'org.apache.logging.log4j:log4j-core');
    assert.equal(packageKey('maven', 'org.apache.logging.log4j/log4j-core'), 'org.apache.logging.log4j:log4j-core');
    assert.equal(packageKey('go', 'github.com/BurntSushi/toml'), 'github.com/BurntSushi/toml');
    assert.equal(packageKey('npm', '@babel/helpers'), '@babel/helpers');
  });

  it('maps Debian codenames and Alpine branches', () => {
    assert.equal(debianRelease('bookworm')?.ecosystem, 'debian:12');
    assert.equal(debianRelease('trixie')?.ecosystem, 'debian:13');
    assert.equal(debianRelease('sid')?.ecosystem, 'debian:unstable');
    assert.equal(debianRelease('bullseye-security')?.ecosystem, 'debian:11');
    assert.equal(debianRelease('wheezy-lts')?.ecosystem, 'debian:7');
    assert.equal(debianRelease('woody')?.ecosystem, 'debian:3.0');
    assert.equal(debianRelease('toString'), undefined);
    assert.equal(debianRelease('experimental'), undefined);
    assert.equal(alpineRelease('v3.11')?.ecosystem, 'alpine:3.11');
    assert.equal(alpineRelease('edge')?.ecosystem, 'alpine:edge');
    assert.equal(alpineRelease('3.20')?.ecosystem, 'alpine:3.20');
    assert.equal(alpineRelease('latest'), undefined);
  });
});
