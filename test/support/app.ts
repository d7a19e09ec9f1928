import type { Server } from 'node:http';
import { afterEach } from 'vitest';
import { createApp, type AppOptions } from '../../src/http/app.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createRelayMetrics, type RelayMetrics } from '../../src/relay.js';
import { useTempDirs } from './temp-dir.js';

export interface RunningApp {
  url: string;
  relay: RelayMetrics;
}

/**
 * Returns a function that starts the service's express app in this process on
 * a free loopback port, over a fresh data directory. Every app started is
 * closed after each test.
 */
export function useApps(): (options?: Omit<AppOptions, 'relay' | 'logger'> & { logger?: Logger }) => Promise<RunningApp> {
  const makeTempDir = useTempDirs();
  const running: Array<{ server: Server; relay: RelayMetrics }> = [];

  afterEach(async () => {
    for (const { server, relay } of running.splice(0)) {
      await new Promise((resolve) => server.close(resolve));
      await relay.close();
    }
  });

  return async (options = {}) => {
    const relay = await createRelayMetrics({ dataDir: await makeTempDir(), processMetrics: false });
    const app = createApp({ relay, logger: silentLogger, ...options });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    running.push({ server, relay });

    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return { url: `http://127.0.0.1:${port}`, relay };
  };
}
