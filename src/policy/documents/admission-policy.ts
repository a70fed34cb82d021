import type { Node } from 'yaml';
import { ALL, parseSelector, SelectorSyntaxError } from '../selector/index.ts';
import type { Selector } from '../selector/index.ts';
import { parseRfc3339 } from '../time.ts';
import { compileImagePath } from './image-path.ts';
import type { Reader } from './reader.ts';
import { join } from './reader.ts';
import { SCAN_STATUSES } from './types.ts';
import type { AdmissionRule, ContainerAdmissionPolicy, LastScanMatch, PathMatch, StatusMatch, ValuesOperator } from './types.ts';

/**
 * Calico's ContainerAdmissionPolicy spec, field for field (docs: "Container admission policy"
 * resource reference): order, selector, namespaceSelector, rules[] of
 * {action, imageScanStatus, imagePath, imageLastScan}.
 */

export const MAX_RULES = 256;
const MAX_VALUES = 256;
/** Durations beyond a century are unit mistakes. */
const MAX_DURATION = { days: 36_500, months: 1_200, years: 100 };

const SPEC_FIELDS = ['order', 'selector', 'namespaceSelector', 'rules'] as const;
const RULE_FIELDS = ['action', 'imageScanStatus', 'imagePath', 'imageLastScan'] as const;
const OPERATORS: readonly ValuesOperator[] = ['IsOneOf', 'IsNoneOf'];

function readSelector(r: Reader, node: Node | undefined, path: string): Selector {
  if (node === undefined) return ALL;
  const text = r.string(node, path, { maxLength: Infinity });
  if (text === undefined) return ALL;
  try {
    return parseSelector(text);
  } catch (err) {
    if (!(err instanceof SelectorSyntaxError)) throw err;
    const resolved = r.resolve(node, path) as Node;
    const offset = r.offsetInString(resolved, err.column - 1);
    r.ctx.issues.push({
      ...(offset === undefined ? { file: r.ctx.file, line: 0, column: 0 } : { file: r.ctx.file, ...linePos(r, offset) }),
      path,
      message: `is not a valid selector: ${err.reason} (selector column ${err.column})`,
    });
    return ALL;
  }
}

function linePos(r: Reader, offset: number): { line: number; column: number } {
  const { line, col } = r.ctx.lineCounter.linePos(offset);
  return { line, column: col };
}

function readStatusMatch(r: Reader, node: Node | undefined, path: string): StatusMatch | undefined {
  const f = r.fields(node, path, ['operator', 'values'], { required: ['operator', 'values'], context: 'imageScanStatus' });
  if (!f) return undefined;
  const operator = r.oneOf(f.values.get('operator'), join(path, 'operator'), OPERATORS);
  const values = r.strings(f.values.get('values'), join(path, 'values'), MAX_VALUES, (_s, n, p) => r.oneOf(n, p, SCAN_STATUSES), { nonEmpty: true });
  return operator && values ? { operator, values } : undefined;
}

function readPathMatch(r: Reader, node: Node | undefined, path: string): PathMatch | undefined {
  const f = r.fields(node, path, ['operator', 'values'], { required: ['operator', 'values'], context: 'imagePath' });
  if (!f) return undefined;
  const operator = r.oneOf(f.values.get('operator'), join(path, 'operator'), OPERATORS);
  const compiled = r.strings(f.values.get('values'), join(path, 'values'), MAX_VALUES, (s, n, p) => {
    const c = compileImagePath(s);
    if ('error' in c) {
      r.issue(n, p, `${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)} ${c.error}`);
      return undefined;
    }
    return { source: s, regex: c.regex };
  }, { nonEmpty: true });
  if (!operator || !compiled) return undefined;
  return { operator, values: compiled.map((c) => c.source), patterns: compiled.map((c) => c.regex) };
}

function readLastScan(r: Reader, node: Node | undefined, path: string): LastScanMatch | undefined {
  const f = r.fields(node, path, ['operator', 'duration', 'time'], { required: ['operator'], context: 'imageLastScan' });
  if (!f) return undefined;
  const operator = r.oneOf(f.values.get('operator'), join(path, 'operator'), ['gt', 'lt'] as const);
  const hasDuration = f.values.has('duration');
  const hasTime = f.values.has('time');
  if (hasDuration === hasTime) {
    r.issue(f.node, path, hasTime ? 'must have either duration or time, not both' : 'needs a duration or a time');
    return undefined;
  }
  if (hasTime) {
    const tp = join(path, 'time');
    const s = r.string(f.values.get('time'), tp, { maxLength: 64 });
    if (s === undefined) return undefined;
    const time = parseRfc3339(s);
    if (!time) {
      r.issue(f.values.get('time'), tp, `${JSON.stringify(s)} is not an RFC 3339 time (like 2024-01-02T15:04:05Z)`);
      return undefined;
    }
    return operator ? { operator, time } : undefined;
  }
  const dp = join(path, 'duration');
  const d = r.fields(f.values.get('duration'), dp, ['days', 'months', 'years'], { context: 'duration (days, months, years)' });
  if (!d) return undefined;
  const duration = { days: 0, months: 0, years: 0 };
  let ok = true;
  for (const unit of ['days', 'months', 'years'] as const) {
    const n = d.values.get(unit);
    if (!n) continue;
    const v = r.number(n, join(dp, unit), { integer: true, min: 0, max: MAX_DURATION[unit] });
    if (v === undefined) ok = false;
    else duration[unit] = v;
  }
  if (d.values.size === 0) {
    r.issue(d.node, dp, 'needs at least one of days, months, years');
    return undefined;
  }
  return operator && ok ? { operator, duration } : undefined;
}

function readRule(r: Reader, node: Node | undefined, path: string): AdmissionRule | undefined {
  const f = r.fields(node, path, RULE_FIELDS, { required: ['action'], context: 'a rule' });
  if (!f) return undefined;
  const action = r.oneOf(f.values.get('action'), join(path, 'action'), ['Allow', 'Reject'] as const);
  const rule: AdmissionRule = { action: action ?? 'Reject', source: r.pos(f.node) };
  let ok = true;
  const v = f.values;
  if (v.has('imageScanStatus')) {
    const m = readStatusMatch(r, v.get('imageScanStatus'), join(path, 'imageScanStatus'));
    if (m) rule.imageScanStatus = m;
    else ok = false;
  }
  if (v.has('imagePath')) {
    const m = readPathMatch(r, v.get('imagePath'), join(path, 'imagePath'));
    if (m) rule.imagePath = m;
    else ok = false;
  }
  if (v.has('imageLastScan')) {
    const m = readLastScan(r, v.get('imageLastScan'), join(path, 'imageLastScan'));
    if (m) rule.imageLastScan = m;
    else ok = false;
  }
  return ok && action ? rule : undefined;
}

export function readAdmissionPolicy(r: Reader, name: string, apiVersion: string, specNode: Node | undefined, specPath: string, source: ContainerAdmissionPolicy['source']): ContainerAdmissionPolicy | undefined {
  const spec = r.fields(specNode, specPath, SPEC_FIELDS, { context: 'ContainerAdmissionPolicy spec' });
  if (!spec) return undefined;
  const v = spec.values;
  const policy: ContainerAdmissionPolicy = {
    name,
    selector: readSelector(r, v.get('selector'), join(specPath, 'selector')),
    namespaceSelector: readSelector(r, v.get('namespaceSelector'), join(specPath, 'namespaceSelector')),
    rules: [],
    apiVersion,
    source,
  };
  if (v.has('order')) {
    const order = r.number(v.get('order'), join(specPath, 'order'));
    if (order !== undefined) policy.order = order;
  }
  if (v.has('rules')) {
    const rulesPath = join(specPath, 'rules');
    const list = r.list(v.get('rules'), rulesPath, MAX_RULES);
    list?.items.forEach((item, i) => {
      const rule = readRule(r, item, join(rulesPath, i));
      if (rule) policy.rules.push(rule);
    });
  }
  return policy;
}
