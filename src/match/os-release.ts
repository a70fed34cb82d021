import type { OSInfo, Package } from '../inventory/index.ts';
import { osEcosystemKey } from './distro.ts';

/**
 * The release key for an OS package: from the image's OS when the package belongs to it (a dpkg
 * package on an image whose OS could not be identified has no release, so it cannot be matched).
 */
export function releaseKey(pkg: Package, os: OSInfo | undefined): string | undefined {
  if (!os || os.family !== pkg.ecosystem) return undefined;
  return osEcosystemKey(os);
}
