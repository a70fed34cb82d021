/** The analyzers an image is inventoried with, and how their OS facts combine. */
import type { Analyzer } from '../types.ts';
import { apkAnalyzer } from './apk.ts';
import { dpkgAnalyzer } from './dpkg.ts';
import { osAnalyzer } from './os.ts';
import { rpmAnalyzer } from './rpm/analyzer.ts';

export const ANALYZERS: readonly Analyzer[] = Object.freeze([osAnalyzer, dpkgAnalyzer, apkAnalyzer, rpmAnalyzer]);

export { resolveOS } from './os-resolve.ts';
export { PackageDbError } from './errors.ts';
export { osAnalyzer, dpkgAnalyzer, apkAnalyzer, rpmAnalyzer };
export { parseDpkgStatus, parseDebVersion } from './dpkg.ts';
export { parseApkInstalled } from './apk.ts';
export { readRpmDb, detectRpmDb } from './rpm/rpmdb.ts';
export type { RpmDbFormat } from './rpm/rpmdb.ts';
