import type { Fields, Reader } from './reader.ts';
import { join } from './reader.ts';
import { SEVERITY_NAMES, UNKNOWN_IMAGE_ACTIONS } from './types.ts';
import type { ScanStatusThresholds, SeverityName } from './types.ts';

/** Calico's defaults: Warn from CVSS 4.0 (medium), Fail from 7.0 (high). */
export const DEFAULT_WARN_THRESHOLD = 4.0;
export const DEFAULT_FAIL_THRESHOLD = 7.0;

export function defaultThresholds(): ScanStatusThresholds {
  return {
    warnThreshold: DEFAULT_WARN_THRESHOLD,
    failThreshold: DEFAULT_FAIL_THRESHOLD,
    warnOn: {},
    failOn: {},
    failOnKev: false,
    fixableOnly: false,
    failOnEndOfLife: false,
    unknownImageAction: 'Reject',
  };
}

const SPEC_FIELDS = [
  'warnThreshold', 'failThreshold', 'warnOn', 'failOn', 'failOnKev', 'failOnEpss', 'fixableOnly',
  'maxDbAgeHours', 'failOnEndOfLife', 'unknownImageAction',
] as const;

/** 10 years: anything larger is a unit mistake, not a policy. */
const MAX_DB_AGE_HOURS = 24 * 365 * 10;

function severityCounts(r: Reader, spec: Fields, key: 'warnOn' | 'failOn'): Partial<Record<SeverityName, number>> {
  const path = join(spec.path, key);
  const f = r.fields(spec.values.get(key), path, SEVERITY_NAMES, { context: `${key} (severities: ${SEVERITY_NAMES.join(', ')})` });
  const out: Partial<Record<SeverityName, number>> = {};
  if (!f) return out;
  for (const sev of SEVERITY_NAMES) {
    const node = f.values.get(sev);
    if (!node) continue;
    const n = r.number(node, join(path, sev), { integer: true, min: 1, max: 1_000_000 });
    if (n !== undefined) out[sev] = n;
  }
  return out;
}

export function readThresholds(r: Reader, name: string, specNode: Fields['node'] | undefined, specPath: string): ScanStatusThresholds {
  const t: ScanStatusThresholds = { ...defaultThresholds(), name };
  const spec = r.fields(specNode, specPath, SPEC_FIELDS, { context: 'ScanStatusThresholds spec' });
  if (!spec) return t;
  const v = spec.values;
  const p = (k: string): string => join(specPath, k);

  const warn = v.has('warnThreshold') ? r.number(v.get('warnThreshold'), p('warnThreshold'), { min: 0, max: 10 }) : undefined;
  const fail = v.has('failThreshold') ? r.number(v.get('failThreshold'), p('failThreshold'), { min: 0, max: 10 }) : undefined;
  if (warn !== undefined) t.warnThreshold = warn;
  if (fail !== undefined) t.failThreshold = fail;
  if (t.failThreshold < t.warnThreshold && (warn !== undefined || fail !== undefined)) {
    const at = v.get(fail !== undefined ? 'failThreshold' : 'warnThreshold');
    r.issue(at, p(fail !== undefined ? 'failThreshold' : 'warnThreshold'),
      fail !== undefined ? `${t.failThreshold} must not be below warnThreshold ${t.warnThreshold}` : `${t.warnThreshold} must not be above failThreshold ${t.failThreshold}`);
  }
  if (v.has('warnOn')) t.warnOn = severityCounts(r, spec, 'warnOn');
  if (v.has('failOn')) t.failOn = severityCounts(r, spec, 'failOn');

  const bool = (k: 'failOnKev' | 'fixableOnly' | 'failOnEndOfLife'): void => {
    const b = v.has(k) ? r.boolean(v.get(k), p(k)) : undefined;
    if (b !== undefined) t[k] = b;
  };
  bool('failOnKev');
  bool('fixableOnly');
  bool('failOnEndOfLife');

  if (v.has('failOnEpss')) {
    const e = r.number(v.get('failOnEpss'), p('failOnEpss'), { min: 0, max: 1 });
    if (e !== undefined) t.failOnEpss = e;
  }
  if (v.has('maxDbAgeHours')) {
    const h = r.number(v.get('maxDbAgeHours'), p('maxDbAgeHours'), { min: 0, minExclusive: true, max: MAX_DB_AGE_HOURS });
    if (h !== undefined) t.maxDbAgeHours = h;
  }
  if (v.has('unknownImageAction')) {
    const a = r.oneOf(v.get('unknownImageAction'), p('unknownImageAction'), UNKNOWN_IMAGE_ACTIONS);
    if (a !== undefined) t.unknownImageAction = a;
  }
  return t;
}
