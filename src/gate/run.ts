import { parseImageRef } from '../image/index.ts';
import type { ImageRef, RegistryRef } from '../image/index.ts';
import type { Discovery, Workload } from '../manifests/index.ts';
import { decideScan, evaluateWorkloadAdmission, worstFindings } from '../policy/index.ts';
import type { ImageUnderReview, Labels, PolicySet, ScanPolicyInputs } from '../policy/index.ts';
import type { ScanResult } from '../report/index.ts';
import { mapSettled } from './pool.ts';
import type { GateImage, GateResult } from './types.ts';
import { WORST_FINDINGS } from './types.ts';

/**
 * The gate's decision, I/O injected: every image of every workload resolved to the digest the
 * registry serves now (so what is judged is what will run), each distinct digest scanned once,
 * its findings decided by the same decideScan as `scan` (per namespace: namespace-scoped
 * Exceptions), and each workload's images put through Calico's ContainerAdmissionPolicy with
 * the workload's labels and its namespace's labels.
 *
 * Verdict: Rejected (exit 1) when any image is rejected — a rejection is certain even when
 * other images could not be judged; else Undecided (exit 2) when any image could not be judged
 * (not a reference, registry unreachable, scan failed), unless onError is 'allow'; else Allowed.
 */

export interface GateDeps {
  /** Tag → digest at the registry (a HEAD on the manifest). */
  resolveDigest(ref: RegistryRef): Promise<string>;
  /** Reference → matched result (findings, not yet decided). */
  scan(reference: string): Promise<ScanResult>;
}

export interface GateOptions {
  policy: PolicySet;
  inputs?: Omit<ScanPolicyInputs, 'policy'>;
  /** Namespace of objects that have none (kubectl -n, Argo CD's destination). */
  defaultNamespace?: string;
  /** Labels of a namespace the manifests do not describe; undefined when unknown. */
  namespaceLabels?: (namespace: string) => Labels | undefined;
  concurrency?: number;
  onError?: 'block' | 'allow';
  now?: Date;
  source?: string;
}

interface Target {
  ref: ImageRef;
  /** Registry images: resolved to a digest first. */
  digest?: string;
  pinned?: string;
  error?: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function runGate(discovery: Discovery, deps: GateDeps, options: GateOptions): Promise<GateResult> {
  const now = options.now ?? new Date();
  const concurrency = options.concurrency ?? 4;
  const warnings = [...discovery.warnings];

  // 1. Every distinct reference, resolved to what will run.
  const references = [...new Set(discovery.workloads.flatMap((w) => w.images.map((i) => i.resolved)).filter((r): r is string => r !== null))];
  const targets = new Map<string, Target>();
  const settledRefs = await mapSettled(references, concurrency, async (reference): Promise<Target> => {
    const ref = parseImageRef(reference);
    if (ref.transport !== 'registry') return { ref, pinned: reference };
    // A reference with a digest is pulled by it (the tag beside it is ignored, as runtimes do).
    const digest = ref.digest ?? await deps.resolveDigest(ref);
    return { ref, digest, pinned: `${ref.registry}/${ref.repository}@${digest}` };
  });
  references.forEach((r, i) => {
    const s = settledRefs[i]!;
    targets.set(r, s.status === 'fulfilled' ? s.value : { ref: parseImageRef(r), error: `could not resolve ${r}: ${message(s.reason)}` });
  });

  // 2. Each distinct digest scanned once (the first reference that names it is pulled).
  const scanKey = (t: Target): string => t.digest ?? t.pinned!;
  const toScan = new Map<string, string>();
  for (const t of targets.values()) if (!t.error && !toScan.has(scanKey(t))) toScan.set(scanKey(t), t.pinned!);
  const keys = [...toScan.keys()];
  const settledScans = await mapSettled(keys, concurrency, (k) => deps.scan(toScan.get(k)!));
  const scans = new Map<string, ScanResult | { error: string }>();
  keys.forEach((k, i) => {
    const s = settledScans[i]!;
    scans.set(k, s.status === 'fulfilled' ? s.value : { error: `could not scan ${toScan.get(k)}: ${message(s.reason)}` });
  });

  // 3. Decide per image and namespace; admission per workload.
  const decided = new Map<string, ScanResult>();
  const decide = (result: ScanResult, reference: string, namespace: string | null): ScanResult => {
    const key = `${result.artifact.digest ?? result.artifact.name}\n${reference}\n${namespace ?? ''}`;
    let d = decided.get(key);
    if (!d) {
      d = decideScan({ ...result, artifact: { ...result.artifact, name: reference } }, {
        ...options.inputs, policy: options.policy, now, ...(namespace ? { namespace } : {}),
      });
      decided.set(key, d);
    }
    return d;
  };
  const policies = options.policy;
  const images: GateImage[] = [];
  for (const w of discovery.workloads) images.push(...judgeWorkload(w));

  function judgeWorkload(w: Workload): GateImage[] {
    const namespace = w.namespace ?? options.defaultNamespace ?? null;
    const out: GateImage[] = w.images.map((i) => ({
      kind: w.kind, namespace, name: w.name, container: i.container, image: i.image, resolved: i.resolved, reasons: [], worst: [],
    }));
    const review: { entry: GateImage; image: ImageUnderReview }[] = [];
    for (const [k, entry] of out.entries()) {
      if (entry.resolved === null) {
        entry.error = `not an image reference: ${w.images[k]!.error ?? entry.image}`;
        continue;
      }
      const t = targets.get(entry.resolved)!;
      if (t.digest) entry.digest = t.digest;
      if (t.pinned) entry.pinned = t.pinned;
      if (t.error) { entry.error = t.error; continue; }
      const scanned = scans.get(scanKey(t))!;
      if ('error' in scanned) { entry.error = scanned.error; continue; }
      const result = decide(scanned, entry.resolved, namespace);
      const verdict = result.verdict ?? { status: 'Unknown' as const, reasons: ['no verdict'] };
      entry.status = verdict.status;
      entry.reasons = verdict.reasons;
      entry.worst = worstFindings(result.findings ?? [], WORST_FINDINGS);
      if (!entry.digest && result.artifact.digest) entry.digest = result.artifact.digest;
      review.push({ entry, image: { image: entry.resolved, ...(entry.digest ? { digest: entry.digest } : {}), status: verdict.status, lastScan: new Date(result.createdAt) } });
    }
    if (review.length > 0) {
      const nsLabels = namespace ? discovery.namespaces.get(namespace) ?? options.namespaceLabels?.(namespace) : undefined;
      const decision = evaluateWorkloadAdmission(policies, {
        labels: w.labels, namespaceLabels: nsLabels ?? {}, ...(namespace ? { namespace } : {}),
      }, review.map((r) => r.image), now);
      decision.decisions.forEach((d, i) => {
        const entry = review[i]!.entry;
        entry.action = d.action;
        entry.policy = d.policy;
        entry.ruleIndex = d.ruleIndex;
        entry.rule = d.message;
      });
    }
    return out;
  }

  // 4. The verdict.
  const rejected = images.filter((i) => i.action === 'Reject').length;
  const errors = images.filter((i) => i.error !== undefined).length;
  const warned = images.filter((i) => i.action === 'Warn').length;
  const verdict = rejected > 0 ? 'Rejected' : errors > 0 && options.onError !== 'allow' ? 'Undecided' : 'Allowed';
  if (errors > 0 && options.onError === 'allow' && rejected === 0) warnings.push(`${errors} image${errors === 1 ? '' : 's'} could not be judged and ${errors === 1 ? 'was' : 'were'} let through (--on-error allow)`);
  if (images.length === 0) warnings.push('no images found in the manifests');
  const results = keys.map((k) => scans.get(k)).filter((s): s is ScanResult => s !== undefined && !('error' in s))
    .map((s) => decideScan(s, { ...options.inputs, policy: options.policy, now }));
  return {
    verdict,
    exitCode: verdict === 'Rejected' ? 1 : verdict === 'Undecided' ? 2 : 0,
    source: options.source ?? '',
    createdAt: now.toISOString(),
    ...(options.policy.file ? { policy: options.policy.file } : {}),
    images,
    results,
    warnings,
    counts: { images: images.length, distinct: keys.length, rejected, warned, errors },
  };
}
