/**
 * Which scheme an ecosystem's versions follow. Ecosystems come spelled as our inventory and DB
 * name them (`debian:12`, `alpine:3.20`, `redhat:9`, `pypi`, `cargo`) or as OSV spells them
 * (`Debian:12`, `Alpine:v3.20`, `Red Hat:enterprise_linux:9`, `Rocky Linux:8`, `PyPI`,
 * `crates.io`, `RubyGems`, `Packagist`): the release after the first `:` does not matter, case
 * and spaces do not either.
 */
import type { SchemeName } from './types.ts';

const SCHEMES: Record<string, SchemeName> = {
  // dpkg-based distributions
  debian: 'deb', ubuntu: 'deb',
  // apk-based distributions
  alpine: 'apk', wolfi: 'apk', chainguard: 'apk', minimos: 'apk',
  // rpm-based distributions
  redhat: 'rpm', rhel: 'rpm', centos: 'rpm', 'centos-stream': 'rpm', rocky: 'rpm', rockylinux: 'rpm',
  alma: 'rpm', almalinux: 'rpm', oracle: 'rpm', oraclelinux: 'rpm', fedora: 'rpm', amazon: 'rpm', amazonlinux: 'rpm',
  opensuse: 'rpm', 'opensuse-leap': 'rpm', 'opensuse-tumbleweed': 'rpm', suse: 'rpm', sles: 'rpm', slem: 'rpm',
  photon: 'rpm', photonos: 'rpm', 'cbl-mariner': 'rpm', mariner: 'rpm', azurelinux: 'rpm', mageia: 'rpm',
  openeuler: 'rpm', coreos: 'rpm',
  // language ecosystems
  npm: 'semver', cargo: 'semver', 'crates.io': 'semver', hex: 'semver', pub: 'semver', swifturl: 'semver', bitnami: 'semver',
  pypi: 'pep440', python: 'pep440',
  maven: 'maven',
  go: 'go', golang: 'go',
  gem: 'gem', rubygems: 'gem',
  nuget: 'nuget',
  composer: 'composer', packagist: 'composer',
};

export function schemeForEcosystem(ecosystem: string): SchemeName | undefined {
  if (ecosystem.length > 200) return undefined;
  const head = (ecosystem.split(':', 1)[0] ?? '').trim().toLowerCase().replace(/\s+/g, '');
  return Object.hasOwn(SCHEMES, head) ? SCHEMES[head] : undefined;
}
