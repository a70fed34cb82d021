import { LayerError } from '../errors.ts';
import { isWithin } from '../image/index.ts';
import type { LayerAnalysis } from './layer-analysis.ts';
import type { AnalyzerResult, OSFacts, RawPackage } from './types.ts';

/** What the merged filesystem says, before OS-dependent naming (purls, ecosystems). */
export interface MergedLayers {
  osFacts: { path: string; facts: OSFacts }[];
  packages: { pkg: RawPackage; path: string; layerIndex: number }[];
  warnings: string[];
}

type ViewEntry =
  | { kind: 'file'; layer: number; results: Record<string, AnalyzerResult> }
  | { kind: 'link'; layer: number; target: string };

const MAX_LINK_HOPS = 40; // Linux's MAXSYMLINKS

function packageKey(p: RawPackage): string {
  return `${p.manager}\u0000${p.name}\u0000${p.version}\u0000${p.arch ?? ''}`;
}

/**
 * Apply layers in order as a container runtime would — whiteouts and opaque directories hide
 * lower layers' files, a later file replaces an earlier one — over the wanted paths only, and
 * attribute each package to the layer that introduced it at its current version.
 */
export function mergeLayers(layers: readonly LayerAnalysis[]): MergedLayers {
  const view = new Map<string, ViewEntry>();
  const warnings: string[] = [];
  /** Package key → index of the layer after which it has been continuously present. */
  let introducedAt = new Map<string, number>();

  layers.forEach((la, i) => {
    let touched = la.opaqueDirs.length > 0 || la.whiteouts.length > 0;
    for (const dir of la.opaqueDirs) {
      for (const path of view.keys()) if (path !== dir && isWithin(path, dir)) view.delete(path);
    }
    for (const gone of la.whiteouts) {
      for (const path of view.keys()) if (isWithin(path, gone)) view.delete(path);
    }
    for (const [path, results] of Object.entries(la.files)) {
      view.set(path, { kind: 'file', layer: i, results });
      touched = true;
    }
    for (const [path, target] of Object.entries(la.links)) {
      view.set(path, { kind: 'link', layer: i, target });
      touched = true;
    }
    warnings.push(...la.warnings);
    if (!touched) return;
    const next = new Map<string, number>();
    for (const { pkg } of packagesOf(view)) {
      const key = packageKey(pkg);
      next.set(key, introducedAt.get(key) ?? i);
    }
    introducedAt = next;
  });

  // Links at wanted paths must resolve inside the image; a loop there is a hostile image.
  for (const [path, entry] of view) {
    if (entry.kind === 'link') resolveInView(view, path);
  }

  const osFacts: MergedLayers['osFacts'] = [];
  for (const [path, entry] of view) {
    if (entry.kind !== 'file') continue;
    for (const r of Object.values(entry.results)) if (r.os) osFacts.push({ path, facts: r.os });
  }
  const packages = packagesOf(view).map(({ pkg, path }) => ({ pkg, path, layerIndex: introducedAt.get(packageKey(pkg)) ?? 0 }));
  return { osFacts, packages, warnings };
}

function packagesOf(view: Map<string, ViewEntry>): { pkg: RawPackage; path: string }[] {
  const out: { pkg: RawPackage; path: string }[] = [];
  const seen = new Set<string>();
  // Sorted paths make the output order independent of layer order quirks.
  for (const path of [...view.keys()].sort()) {
    const entry = view.get(path)!;
    if (entry.kind !== 'file') continue;
    for (const r of Object.values(entry.results)) {
      for (const pkg of r.packages ?? []) {
        const key = packageKey(pkg);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ pkg, path });
      }
    }
  }
  return out;
}

/** Follow links through the merged view, like a chroot: never above the root, bounded hops. */
function resolveInView(view: Map<string, ViewEntry>, start: string): string {
  let path = start;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const entry = view.get(path);
    if (!entry || entry.kind === 'file') return path;
    path = entry.target;
  }
  throw new LayerError('SYMLINK_LOOP', `/${start} is a symlink loop (more than ${MAX_LINK_HOPS} links)`);
}
