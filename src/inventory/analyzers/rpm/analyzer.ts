import type { Analyzer } from '../../types.ts';
import { readRpmDb } from './rpmdb.ts';

/** Where rpm keeps its database: /var/lib/rpm traditionally, /usr/lib/sysimage/rpm since the usr merge. */
const PATHS = new Set(
  ['var/lib/rpm/', 'usr/lib/sysimage/rpm/'].flatMap((dir) => ['Packages', 'Packages.db', 'rpmdb.sqlite'].map((f) => dir + f)),
);

/** The largest real databases (big RHEL installs) are a few hundred MB in Berkeley DB. */
const MAX_DB_FILE = 512 * 1024 * 1024;

export const rpmAnalyzer: Analyzer = {
  name: 'rpm',
  version: 1,
  maxFileSize: MAX_DB_FILE,
  wants(path) {
    return PATHS.has(path);
  },
  analyze(_path, content) {
    return { packages: readRpmDb(content) };
  },
};
