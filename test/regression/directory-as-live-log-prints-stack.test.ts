import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../support/service.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function runCli(args: string[]) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, RELAY_METRICS_DATA_DIR: '' },
  });
}

// A directory where the live log belongs made serve and report crash with
// "EISDIR: illegal operation on a directory" and a stack trace.
describe('directory in place of the live log', () => {
  for (const command of [['serve', '--port', '0'], ['report', '--json']]) {
    it(`stops ${command[0]} with one line naming it`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'relay-eisdir-'));
      roots.push(dataDir);
      await mkdir(join(dataDir, 'relay-calls.ndjson'));

      const result = runCli([...command, '--data-dir', dataDir]);

      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${join(dataDir, 'relay-calls.ndjson')} is a directory`);
    });
  }

  it('report treats an empty --data-dir as missing', () => {
    const result = runCli(['report', '--data-dir', '']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing --data-dir');
  });
});
