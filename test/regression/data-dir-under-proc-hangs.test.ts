import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDirectory } from '../../src/audit/ensure-directory.js';

// Node 20's recursive mkdir never settles for a path under /proc, so
// `serve --data-dir /proc/x` used to hang instead of reporting the error.
describe('data directory under /proc', () => {
  it('rejects instead of hanging', { timeout: 5_000 }, async () => {
    await expect(ensureDirectory('/proc/relay-metrics-test/data', 0o700)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates missing parents elsewhere', async () => {
    const root = await mkdtemp(join(tmpdir(), 'relay-ensure-'));
    await ensureDirectory(join(root, 'a', 'b', 'c'), 0o700);
    expect((await stat(join(root, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await ensureDirectory(join(root, 'a', 'b', 'c'), 0o700);
    await rm(root, { recursive: true, force: true });
  });
});
