import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One OTLP attribute as OTLP/JSON encodes it. */
interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
}

interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  asDouble?: number;
  asInt?: number | string;
}

interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  count: number | string;
  sum?: number;
  bucketCounts?: Array<number | string>;
  explicitBounds?: number[];
}

/** A metric of an OTLP/JSON ExportMetricsServiceRequest, with the fields the tests read. */
export interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpNumberPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints: OtlpHistogramPoint[] };
}

export interface OtlpExportRequest {
  headers: IncomingHttpHeaders;
  resourceAttributes: Record<string, unknown>;
  scope: { name: string; version?: string };
  metrics: OtlpMetric[];
}

export interface OtlpReceiver {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  /** Every export request received on /v1/metrics so far, oldest first. */
  requests: OtlpExportRequest[];
  /** Resolves with the first request that `accept` approves, polling until `timeoutMs` passes. */
  waitFor(accept: (request: OtlpExportRequest) => boolean, timeoutMs?: number): Promise<OtlpExportRequest>;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that replaces an OpenTelemetry
 * Collector's OTLP/HTTP receiver in tests. It accepts the JSON encoding, which
 * @opentelemetry/exporter-metrics-otlp-http sends, and returns 415 for any other.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpExportRequest[] = [];

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/metrics') {
        response.writeHead(404).end();
        return;
      }
      if (request.headers['content-type'] !== 'application/json') {
        response.writeHead(415).end();
        return;
      }

      const raw = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      requests.push(...decodeExportRequest(JSON.parse(body.toString('utf8')) as ExportMetricsServiceRequest, request.headers));
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async waitFor(accept, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = requests.find(accept);
        if (match !== undefined) return match;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no matching OTLP export within ${timeoutMs} ms; received ${requests.length} requests`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface ExportMetricsServiceRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeMetrics?: Array<{ scope?: { name: string; version?: string }; metrics?: OtlpMetric[] }>;
  }>;
}

function decodeExportRequest(body: ExportMetricsServiceRequest, headers: IncomingHttpHeaders): OtlpExportRequest[] {
  const decoded: OtlpExportRequest[] = [];
  for (const resourceMetrics of body.resourceMetrics ?? []) {
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      decoded.push({
        headers,
        resourceAttributes: attributesOf(resourceMetrics.resource?.attributes),
        scope: scopeMetrics.scope ?? { name: '' },
        metrics: scopeMetrics.metrics ?? [],
      });
    }
  }
  return decoded;
}

/** Converts OTLP key-value pairs to a plain object. */
export function attributesOf(keyValues: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of keyValues ?? []) {
    attributes[key] = value.stringValue ?? value.doubleValue ?? value.boolValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
  }
  return attributes;
}

/** Sums a sum metric's points, or a histogram's point sums, whose attributes include `where`. */
export function sumOtlp(metrics: OtlpMetric[], name: string, where: Record<string, unknown> = {}): number {
  const metric = metrics.find((candidate) => candidate.name === name);
  if (metric === undefined) throw new Error(`metric ${name} not in the export; present: ${metrics.map((m) => m.name).join(', ')}`);

  const points: Array<{ attributes?: OtlpKeyValue[]; value: number }> = metric.sum
    ? metric.sum.dataPoints.map((point) => ({ attributes: point.attributes, value: point.asDouble ?? Number(point.asInt ?? 0) }))
    : (metric.histogram?.dataPoints ?? []).map((point) => ({ attributes: point.attributes, value: point.sum ?? 0 }));

  let sum = 0;
  for (const point of points) {
    const attributes = attributesOf(point.attributes);
    if (Object.entries(where).every(([key, expected]) => attributes[key] === expected)) sum += point.value;
  }
  return sum;
}

/** Counts the observations of a histogram metric. */
export function countOtlp(metrics: OtlpMetric[], name: string): number {
  const metric = metrics.find((candidate) => candidate.name === name);
  return (metric?.histogram?.dataPoints ?? []).reduce((count, point) => count + Number(point.count), 0);
}
