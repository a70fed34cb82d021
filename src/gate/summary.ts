import { describeFinding } from '../policy/index.ts';
import type { GateImage, GateResult } from './types.ts';

/**
 * What people read: the summary table of a run, and the termination message Argo CD shows in
 * the sync result of a failed Pod hook. Everything in them comes from manifests, registries and
 * feeds, which anyone can write: control characters are dropped and fields are capped.
 */

/** Kubernetes keeps at most this many bytes of a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
export const clean = (s: string, max = 200): string => {
  const t = s.replace(CONTROL, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export const workloadName = (i: Pick<GateImage, 'kind' | 'namespace' | 'name'>): string =>
  `${i.kind} ${i.namespace ? `${i.namespace}/` : ''}${i.name ?? '(unnamed)'}`;

const shortDigest = (d: string | undefined): string => (d ? `${d.slice(0, d.indexOf(':') + 13)}` : '');

/** A reference without its `@sha256:` digest (the gate names images by digest separately). */
export const withoutDigest = (ref: string): string => ref.replace(/@sha256:[a-f0-9]{64}$/, '');

function imageCell(i: GateImage): string {
  const ref = i.resolved ?? i.image;
  const bare = withoutDigest(ref);
  return i.digest ? `${bare}@${shortDigest(i.digest)}` : ref;
}

function statusCell(i: GateImage): string {
  if (i.error) return 'ERROR';
  return `${i.status ?? '?'}→${i.action ?? '?'}`;
}

function worstCell(i: GateImage): string {
  if (i.error) return i.error;
  if (i.worst.length === 0) return '';
  return i.worst.map((f) => `${f.id} (${f.severity})`).join(', ');
}

/** The summary table: one row per container-like entry; widths from the content, capped. */
export function summaryTable(result: GateResult): string {
  const head = ['WORKLOAD', 'CONTAINER', 'IMAGE@DIGEST', 'STATUS→ACTION', 'WORST FINDINGS'];
  const rows = result.images.map((i) => [workloadName(i), i.container, imageCell(i), statusCell(i), worstCell(i)].map((c) => clean(c, 100)));
  const widths = head.map((h, col) => Math.min(col === 4 ? 100 : 60, Math.max(h.length, ...rows.map((r) => [...r[col]!].length))));
  const line = (cells: string[]) => cells.map((c, col) => (col === cells.length - 1 ? c : c.padEnd(widths[col]!))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line), '', verdictLine(result)];
  return `${out.join('\n')}\n`;
}

export function verdictLine(result: GateResult): string {
  const c = result.counts;
  const parts = [`${c.images} image${c.images === 1 ? '' : 's'} (${c.distinct} distinct digest${c.distinct === 1 ? '' : 's'} scanned)`];
  if (c.rejected) parts.push(`${c.rejected} rejected`);
  if (c.warned) parts.push(`${c.warned} admitted with warnings`);
  if (c.errors) parts.push(`${c.errors} could not be judged`);
  const what = result.verdict === 'Rejected' ? 'REJECTED' : result.verdict === 'Undecided' ? 'NO VERDICT (blocked)' : 'ALLOWED';
  return `portcullis gate: ${what}: ${parts.join(', ')}${result.policy ? `; policy ${clean(result.policy, 200)}` : '; default policy (reject Fail and Unknown)'}`;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Cut to at most `max` bytes of UTF-8 without splitting a character. */
function cutBytes(s: string, max: number): string {
  if (utf8(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (utf8(out) + utf8(ch) + 3 > max) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * The termination message: the verdict, then each rejected (or undecided) image once per
 * digest with the workloads using it, its worst findings, the policy and rule; then where the
 * full report is. Blocks are added while they fit; what does not fit is counted in a last line.
 */
export function terminationMessage(result: GateResult, where: string, limit = TERMINATION_MESSAGE_LIMIT): string {
  const head = verdictLine(result);
  const tail = `full report: ${where}`;
  const blocking = result.images.filter((i) => i.action === 'Reject' || (i.error && result.verdict !== 'Allowed'));
  const groups = new Map<string, GateImage[]>();
  for (const i of blocking) {
    const key = i.error ? `error\n${i.resolved ?? i.image}\n${i.error}` : `${i.digest ?? i.resolved}\n${i.rule}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const blocks = [...groups.values()].map((g) => {
    const i = g[0]!;
    const users = g.map((x) => `${workloadName(x)} (${clean(x.container, 60)})`);
    const usedBy = users.length > 3 ? `${users.slice(0, 3).join(', ')} and ${users.length - 3} more` : users.join(', ');
    const lines = [`✗ ${clean(i.resolved ?? i.image, 180)}${i.digest && !(i.resolved ?? '').includes(i.digest) ? `@${i.digest}` : ''}`, `  in ${clean(usedBy, 400)}`];
    if (i.error) {
      lines.push(`  no verdict: ${clean(i.error, 300)}`);
    } else {
      lines.push(`  status ${i.status}: ${clean(i.rule ?? '', 200)}`);
      for (const f of i.worst) lines.push(`  - ${clean(describeFinding(f), 200)}`);
    }
    return lines.join('\n');
  });
  let body = head;
  const reserve = utf8(tail) + 80; // the tail and an "and N more" line always fit
  let shown = 0;
  for (const b of blocks) {
    if (utf8(body) + 1 + utf8(b) > limit - reserve) break;
    body += `\n${b}`;
    shown++;
  }
  if (shown < blocks.length) body += `\n… and ${blocks.length - shown} more blocking image${blocks.length - shown === 1 ? '' : 's'}`;
  return cutBytes(`${body}\n${tail}\n`, limit);
}
