import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { listRuleFilePaths, listRuleTestPaths, REPOSITORY_ROOT } from '../support/rule-files.js';
import { describeWithTool } from '../support/tools.js';

const execFileAsync = promisify(execFile);

interface PromtoolResult {
  exitCode: number;
  output: string;
}

/** Runs promtool from the repository root and returns its exit code and combined output. */
async function runPromtool(args: string[]): Promise<PromtoolResult> {
  try {
    const { stdout, stderr } = await execFileAsync('promtool', args, { cwd: REPOSITORY_ROOT });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describeWithTool('promtool', 'promtool checks of prometheus.yml and rules/', () => {
  it('accepts prometheus.yml and the rule files it loads', async () => {
    const result = await runPromtool(['check', 'config', 'prometheus.yml']);

    expect(result.output).toContain('SUCCESS: 2 rule files found');
    expect(result.exitCode, result.output).toBe(0);
  });

  it('accepts every rule file', async () => {
    const ruleFiles = listRuleFilePaths();
    const result = await runPromtool(['check', 'rules', ...ruleFiles]);

    expect(ruleFiles.map((path) => basename(path))).toEqual(['relay-alerts.yml', 'relay-recording.yml']);
    expect(result.exitCode, result.output).toBe(0);
  });

  it('rejects a rule file with an invalid expression', async () => {
    // Guards against a check that passes whatever it is given.
    const result = await runPromtool(['check', 'rules', join('test', 'rules', 'fixtures', 'invalid-rules.yml')]);

    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('parse error');
  });

  for (const testPath of listRuleTestPaths()) {
    it(`passes the unit tests in ${basename(testPath)}`, async () => {
      const result = await runPromtool(['test', 'rules', testPath]);

      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('SUCCESS');
    });
  }
});
