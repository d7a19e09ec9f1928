import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OpenMetricsBuffer, escapeLabelValue, formatNumber, type RenderedFamily } from '../../src/backfill/openmetrics-buffer.js';
import { CollectedMetric, registerCollectedMetric, type CollectedValue } from '../../src/metrics/collected-metric.js';

async function scrape(registry: Registry): Promise<RenderedFamily[]> {
  return (await registry.getMetricsAsJSON()) as unknown as RenderedFamily[];
}

function renderText(buffer: OpenMetricsBuffer): string {
  return Buffer.concat(buffer.render()).toString('utf8');
}

describe('OpenMetricsBuffer', () => {
  it('writes counters without _total in metadata and with it on samples', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'demo_requests_total', help: 'Requests.', labelNames: ['code'], registers: [registry] });
    const buffer = new OpenMetricsBuffer({ job: 'relay-metrics', instance: 'backfill' });

    counter.inc({ code: '200' }, 2);
    buffer.addScrape(await scrape(registry), 1_000_000);
    counter.inc({ code: '200' });
    buffer.addScrape(await scrape(registry), 1_060_000);

    expect(renderText(buffer)).toBe(
      [
        '# TYPE demo_requests counter',
        '# HELP demo_requests Requests.',
        'demo_requests_total{job="relay-metrics",instance="backfill",code="200"} 2 1000',
        'demo_requests_total{job="relay-metrics",instance="backfill",code="200"} 3 1060',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('groups each series across scrapes and keeps histogram points whole', async () => {
    const registry = new Registry();
    const shared = { model: 'a' };
    let count = 1;
    registerCollectedMetric(
      registry,
      new CollectedMetric('demo_seconds', 'Durations.', 'histogram', (): CollectedValue[] => [
        { value: count, labels: { le: 1 }, sharedLabels: shared, metricName: 'demo_seconds_bucket' },
        { value: count, labels: { le: '+Inf' }, sharedLabels: shared, metricName: 'demo_seconds_bucket' },
        { value: count * 0.5, labels: {}, sharedLabels: shared, metricName: 'demo_seconds_sum' },
        { value: count, labels: {}, sharedLabels: shared, metricName: 'demo_seconds_count' },
      ]),
    );
    const gauge = new Gauge({ name: 'demo_users', help: 'Users.', registers: [registry] });
    const buffer = new OpenMetricsBuffer({ job: 'j' });

    gauge.set(5);
    buffer.addScrape(await scrape(registry), 2_000);
    count = 2;
    gauge.set(6);
    buffer.addScrape(await scrape(registry), 4_500);

    expect(renderText(buffer)).toBe(
      [
        '# TYPE demo_seconds histogram',
        '# HELP demo_seconds Durations.',
        'demo_seconds_bucket{job="j",model="a",le="1"} 1 2',
        'demo_seconds_bucket{job="j",model="a",le="+Inf"} 1 2',
        'demo_seconds_sum{job="j",model="a"} 0.5 2',
        'demo_seconds_count{job="j",model="a"} 1 2',
        'demo_seconds_bucket{job="j",model="a",le="1"} 2 4.5',
        'demo_seconds_bucket{job="j",model="a",le="+Inf"} 2 4.5',
        'demo_seconds_sum{job="j",model="a"} 1 4.5',
        'demo_seconds_count{job="j",model="a"} 2 4.5',
        '# TYPE demo_users gauge',
        '# HELP demo_users Users.',
        'demo_users{job="j"} 5 2',
        'demo_users{job="j"} 6 4.5',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('starts empty again after clear', async () => {
    const registry = new Registry();
    new Gauge({ name: 'demo_users', help: 'Users.', registers: [registry] }).set(1);
    const buffer = new OpenMetricsBuffer({});

    buffer.addScrape(await scrape(registry), 1_000);
    expect(buffer.samples).toBe(1);
    buffer.clear();
    buffer.addScrape(await scrape(registry), 2_000);

    expect(buffer.samples).toBe(1);
    expect(renderText(buffer)).toBe('# TYPE demo_users gauge\n# HELP demo_users Users.\ndemo_users 1 2\n# EOF\n');
  });

  it('escapes label values and help text', async () => {
    const registry = new Registry();
    new Gauge({ name: 'demo_info', help: 'Quoted "help" with \\ and\nnewline.', labelNames: ['model'], registers: [registry] }).set(
      { model: 'a"b\\c\nd' },
      1,
    );
    const buffer = new OpenMetricsBuffer({});

    buffer.addScrape(await scrape(registry), 1_000);

    const text = renderText(buffer);
    expect(text).toContain('# HELP demo_info Quoted \\"help\\" with \\\\ and\\nnewline.\n');
    expect(text).toContain('demo_info{model="a\\"b\\\\c\\nd"} 1 1\n');
  });

  it('writes non-ASCII label values as UTF-8', async () => {
    const registry = new Registry();
    new Gauge({ name: 'demo_info', help: 'Info.', labelNames: ['model'], registers: [registry] }).set({ model: 'modèle-β' }, 1);
    const buffer = new OpenMetricsBuffer({});

    buffer.addScrape(await scrape(registry), 1_000);

    expect(renderText(buffer)).toContain('demo_info{model="modèle-β"} 1 1\n');
  });
});

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
  ])('escapes %j', (input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });
});

describe('formatNumber', () => {
  it.each([
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('formats %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });
});
