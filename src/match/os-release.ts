import type { OSInfo, Package } from '../inventory/index.ts';
import { osEcosystemKey } from './distro.ts';

/**
 * The release key for an OS package: from the image's OS when the package belongs to it (a dpkg
 * package on an image whose OS could not be identified has no release, so it cannot be matched).
 */
export function releaseKey(pkg: Package, os: OSInfo | undefined): string | undefined {
  if (!os || os.family !== pkg.ecosystem) return undefined;
  // Every OS package of an image asks about the same OS: work its key out once.
  if (os.family !== last.family || os.version !== last.version || os.codename !== last.codename) {
    last = { family: os.family, version: os.version, codename: os.codename, key: osEcosystemKey(os) };
  }
  return last.key;
}

let last: { family: string; version: string; codename: string | undefined; key: string | undefined } = { family: '', version: '', codename: undefined, key: undefined };
