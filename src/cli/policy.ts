import type { Command } from 'commander';
import type { Io } from './context.ts';

export function registerPolicy(program: Command, io: Io, setExit: (code: number) => void): void {
  const policy = program.command('policy').description('validate and explain policy files');

  policy
    .command('check')
    .description('validate a policy file; every problem is printed as FILE:LINE:COLUMN: message')
    .argument('<file>', 'policy file (YAML, one or more documents)')
    .action(async (file: string) => {
      const { checkPolicy, formatIssue, readPolicyText } = await import('../policy/index.ts');
      const result = checkPolicy(await readPolicyText(file), file);
      if (result.issues.length > 0) {
        for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
        io.stderr.write(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`);
        setExit(1);
        return;
      }
      const set = result.policySet!;
      const parts = [
        `thresholds warn ≥ ${set.thresholds.warnThreshold}, fail ≥ ${set.thresholds.failThreshold}`,
        `${set.admissionPolicies.length} ContainerAdmissionPolicy`,
        `${set.exceptions.length} Exception`,
        `unknown images: ${set.unknownImageAction}`,
      ];
      io.stdout.write(`${file}: valid (${parts.join('; ')})\n`);
    });
}
