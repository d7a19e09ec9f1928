import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

// A service killed with SIGKILL stays a zombie until its parent reaps it, and
// signal 0 still reaches a zombie, so an immediate restart reported the
// directory as "in use by pid N".
it('lock of a zombie process is taken over', async () => {
  const dataDir = await makeTempDir();

  // The shell starts `sleep 30` in the background, prints its pid, then
  // becomes `sleep 60`, which never reaps it: killing it leaves a zombie.
  const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const zombiePid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));

  try {
    // Until the shell has become `sleep 60`, it would still reap its child itself.
    await waitForCommand(parent.pid!, 'sleep');
    process.kill(zombiePid, 'SIGKILL');
    await waitForZombie(zombiePid);
    await writeFile(join(dataDir, 'relay-metrics.lock'), JSON.stringify({ pid: zombiePid, hostname: hostname(), startedAt: 'x' }));

    const log = await AuditLog.open({ dataDir });
    const holder = JSON.parse(await readFile(join(dataDir, 'relay-metrics.lock'), 'utf8')) as { pid: number };
    await log.close();
    expect(holder.pid).toBe(process.pid);
  } finally {
    parent.kill('SIGKILL');
  }
});

async function waitForZombie(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} did not become a zombie`);
}

async function waitForCommand(pid: number, command: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === command) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`process ${pid} did not become ${command}`);
}
