import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeWithTool, hasTool } from '../support/tools.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));

// `docker compose config` only parses and resolves the file, so it needs the
// docker client and a compose implementation but no running engine: the
// compose plugin, or else Debian's docker-compose 1.29, which .ci/run installs.
function findCompose(): { command: string; prefix: string[] } | string {
  if (!hasTool('docker')) return 'the docker client is not installed';
  const version = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  if (version.status === 0) return { command: 'docker', prefix: ['compose'] };
  if (hasTool('docker-compose')) return { command: 'docker-compose', prefix: [] };
  return 'neither the docker compose plugin nor docker-compose is installed';
}

const compose = findCompose();
const missing = typeof compose === 'string' ? compose : undefined;
if (missing !== undefined && process.env.CI !== undefined && hasTool('docker')) {
  throw new Error(`the docker client exists but ${missing}; .ci/run installs docker-compose for this check`);
}
const suiteName = missing === undefined ? 'docker-compose.yml' : `docker-compose.yml (skipped: ${missing})`;

const composeCommand = () => (typeof compose === 'string' ? 'docker' : compose.command);
const composePrefix = () => (typeof compose === 'string' ? [] : compose.prefix);

describe.skipIf(missing !== undefined)(suiteName, () => {
  const composeConfig = (env: NodeJS.ProcessEnv) =>
    spawnSync(composeCommand(), [...composePrefix(), '--file', 'docker-compose.yml', 'config'], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });

  it('passes docker compose config', () => {
    const result = composeConfig({ RELAY_METRICS_TOKEN: 'test-token' });

    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('grafana/provisioning');
    expect(result.stdout).toContain('prometheus.compose.yml');
  });

  it('requires a token for the exporter', () => {
    const result = composeConfig({ RELAY_METRICS_TOKEN: '' });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('RELAY_METRICS_TOKEN');
  });

  it('lists the three services', () => {
    const services = execFileSync(composeCommand(), [...composePrefix(), '--file', 'docker-compose.yml', 'config', '--services'], {
      cwd: PROJECT_DIR,
      env: { ...process.env, RELAY_METRICS_TOKEN: 'test-token' },
      encoding: 'utf8',
    });
    expect(services.trim().split('\n').sort()).toEqual(['grafana', 'prometheus', 'relay-metrics']);
  });
});

describeWithTool('promtool', 'grafana/prometheus.compose.yml', () => {
  it('passes promtool check config', () => {
    const result = spawnSync('promtool', ['check', 'config', 'grafana/prometheus.compose.yml'], { cwd: PROJECT_DIR, encoding: 'utf8' });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('scrapes the exporter service under the relay-metrics job', () => {
    const text = readFileSync(join(PROJECT_DIR, 'grafana/prometheus.compose.yml'), 'utf8');
    expect(text).toMatch(/job_name: relay-metrics\n\s+scrape_interval: 15s\n\s+static_configs:\n\s+- targets: \['relay-metrics:9477'\]/);
  });
});

describe('Grafana provisioning', () => {
  const read = (path: string) => readFileSync(join(PROJECT_DIR, path), 'utf8');

  it('sets the data source timeInterval to the scrape interval', () => {
    const scrapeInterval = /job_name: relay-metrics\n\s+scrape_interval: (\S+)/.exec(read('grafana/prometheus.compose.yml'))?.[1];
    const timeInterval = /timeInterval: (\S+)/.exec(read('grafana/provisioning/datasources/prometheus.yml'))?.[1];

    expect(scrapeInterval).toBe('15s');
    expect(timeInterval).toBe(scrapeInterval);
  });

  it('gives the data source a fixed uid', () => {
    expect(read('grafana/provisioning/datasources/prometheus.yml')).toMatch(/\n\s+uid: relay-prometheus\n/);
  });

  it('loads dashboards from where compose mounts them', () => {
    const providerPath = /path: (\S+)/.exec(read('grafana/provisioning/dashboards/relay-metrics.yml'))?.[1];
    expect(providerPath).toBeDefined();
    expect(read('docker-compose.yml')).toContain(`./grafana/dashboards:${providerPath}:ro`);
  });
});
