import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../support/service.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function runServe(dataDir: string) {
  return spawnSync(process.execPath, [CLI_PATH, 'serve', '--data-dir', dataDir, '--port', '0'], {
    encoding: 'utf8',
    timeout: 5_000,
    env: { ...process.env, RELAY_METRICS_DATA_DIR: '' },
  });
}

// A regular file given as the data directory was reported as "not writable
// (ENOTDIR)", which sends the user to fix permissions that are fine.
describe('serve --data-dir that is not a directory', () => {
  it('names a file as not a directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'relay-datadir-'));
    roots.push(root);
    const file = join(root, 'calls.ndjson');
    await writeFile(file, '');

    for (const dataDir of [file, join(file, 'sub')]) {
      const result = runServe(dataDir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`data directory ${dataDir} is not a directory`);
      expect(result.stderr).not.toContain('not writable');
    }
  });

  it('treats an empty value as missing', () => {
    const result = runServe('');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing --data-dir');
  });
});
