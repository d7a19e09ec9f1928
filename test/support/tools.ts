import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

/** True when `name` is an executable on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` for suites that need an external tool such as promtool. Without
 * the tool the suite is skipped on a developer machine, but under CI (the
 * `CI` variable set) it runs and fails, so a missing install step cannot pass
 * unnoticed.
 */
export function describeWithTool(tool: string, name: string, body: () => void): void {
  const available = hasTool(tool);
  if (available || process.env.CI !== undefined) {
    describe(name, () => {
      if (!available) throw new Error(`${tool} is not installed; .ci/run installs Debian's prometheus package for it`);
      body();
    });
    return;
  }
  describe.skip(`${name} (skipped: ${tool} is not installed)`, body);
}
