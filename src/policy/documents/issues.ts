import { PolicyError } from '../../errors.ts';

/** One problem in a policy file, with the place it was found. */
export interface PolicyIssue {
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  line: number;
  column: number;
  /** Field path inside the document, e.g. `spec.rules[1].action` (empty for document-level). */
  path: string;
  message: string;
}

/** `policy.yaml:12:7: spec.rules[1].action must be Allow or Reject` */
export function formatIssue(issue: PolicyIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where}: ${issue.path ? `${issue.path} ` : ''}${issue.message}`;
}

/**
 * A policy file with one or more problems. The message is one line (the first problem and how
 * many more there are); `issues` has every one of them, in file order, for `policy check`.
 */
export class PolicyValidationError extends PolicyError {
  readonly issues: readonly PolicyIssue[];
  constructor(issues: readonly PolicyIssue[]) {
    const first = issues[0];
    const head = first ? formatIssue(first) : 'invalid policy';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more: run 'portcullis policy check')` : '';
    super('INVALID_POLICY', head + more);
    this.issues = issues;
  }

  /** Every issue, one per line. */
  details(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}
