/** Building `ratings` (severity and CVSS per source) from the ways feeds publish them. */
import type { Severity } from '../../match/types.ts';
import type { Rating, VulnerabilityInfo } from '../advisory.ts';
import { cvssBaseScore, cvssSeverity, parseCvss } from '../cvss.ts';
import { severityOfLabel } from './normalise.ts';

type Unscored = NonNullable<VulnerabilityInfo['unscoredCvss']>[number];

/** Collects ratings for one vulnerability, one per (source, CVSS version, vector). */
export class RatingSet {
  readonly ratings: Rating[] = [];
  readonly unscored: Unscored[] = [];
  /** Vectors that did not parse, for the caller to count. */
  invalid = 0;

  /**
   * A CVSS vector with the score the publisher gave, or none: v2/v3 vectors without one are
   * scored here; v4 vectors without one are kept unscored. `severity` is the publisher's own
   * label for it (NVD/CVE 5 `baseSeverity`), else derived from the score.
   */
  addCvss(source: string, vector: string, published?: { score?: unknown; severity?: unknown }): void {
    const parsed = parseCvss(vector);
    if (!parsed) {
      this.invalid++;
      return;
    }
    const label = severityOfLabel(published?.severity);
    const given = typeof published?.score === 'number' && published.score >= 0 && published.score <= 10 ? published.score : undefined;
    const score = given ?? cvssBaseScore(parsed);
    if (score === undefined) {
      if (!this.unscored.some((u) => u.source === source && u.vector === parsed.vector)) {
        this.unscored.push({ source, version: parsed.version, vector: parsed.vector, ...(label ? { severity: label } : {}) });
      }
      return;
    }
    if (this.ratings.some((r) => r.source === source && r.cvss?.vector === parsed.vector)) return;
    this.ratings.push({ source, severity: label ?? cvssSeverity(score, parsed.version), cvss: { source, version: parsed.version, vector: parsed.vector, score } });
  }

  /**
   * A publisher's own severity label (GHSA's, Ubuntu's priority): it becomes the severity of that
   * source's CVSS ratings too, since it is what the publisher says the severity is.
   */
  addLabel(source: string, severity: Severity | undefined): void {
    if (!severity) return;
    let found = false;
    for (const r of this.ratings) {
      if (r.source === source) {
        r.severity = severity;
        found = true;
      }
    }
    if (!found) this.ratings.push({ source, severity });
  }
}
