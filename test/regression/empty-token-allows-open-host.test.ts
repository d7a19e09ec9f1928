import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../support/service.js';

const dataDirs: string[] = [];
afterEach(async () => {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

// `--token ""` counted as a token, so it lifted the loopback-only rule while
// the bearer check then accepted an empty secret. A token with white space
// around it could never match, because the server trims the header's value.
// Every case uses a loopback host: the old build would start and serve.
async function runServe(tokenArgs: string[], env: NodeJS.ProcessEnv = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-token-'));
  dataDirs.push(dataDir);
  return spawnSync(process.execPath, [CLI_PATH, 'serve', '--data-dir', dataDir, '--port', '0', ...tokenArgs], {
    encoding: 'utf8',
    timeout: 5_000,
    env: { ...process.env, RELAY_METRICS_TOKEN: '', ...env },
  });
}

describe('serve with an unusable token', () => {
  const cases = [
    { name: 'empty --token', args: ['--token', ''], env: {}, expected: 'is empty' },
    { name: 'blank --token', args: ['--token', '   '], env: {}, expected: 'is empty' },
    { name: 'padded --token', args: ['--token', ' secret '], env: {}, expected: 'white space' },
    { name: 'padded RELAY_METRICS_TOKEN', args: [], env: { RELAY_METRICS_TOKEN: 'secret\n' }, expected: 'white space' },
  ];

  for (const { name, args, env, expected } of cases) {
    it(`exits 2 for ${name}`, async () => {
      const result = await runServe(args, env);

      expect(result.status).toBe(2);
      expect(result.stderr).toContain(expected);
      expect(result.stderr).not.toContain('secret');
    });
  }
});
