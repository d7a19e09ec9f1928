// Load generator for the HTTP ingest benchmark, run as its own process so the
// client does not share an event loop with the service. It posts the bodies
// from a JSON file, round-robin, with a fixed number of requests in flight,
// and stops after `--requests` requests or `--max-seconds`, whichever comes first.
// Prints one JSON line: requests, records, elapsed time and latency percentiles.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    bodies: { type: 'string' },
    'content-type': { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    'max-seconds': { type: 'string' },
  },
});

const bodies = JSON.parse(await readFile(values.bodies, 'utf8')).map((body) => Buffer.from(body.text));
const totalRequests = Number(values.requests);
const concurrency = Number(values.concurrency);
const deadlineMs = Date.now() + Number(values['max-seconds']) * 1000;
const target = new URL(values.url);
// node:http with keep-alive costs the client far less CPU per request than
// fetch, which matters when client and server share two cores.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function post(body) {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': values['content-type'], 'content-length': body.length },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

let started = 0;
let records = 0;
let failures = 0;
const latenciesMs = [];
let firstFailure;

async function worker() {
  while (started < totalRequests && Date.now() < deadlineMs) {
    const body = bodies[started % bodies.length];
    started += 1;
    const startedNs = process.hrtime.bigint();
    try {
      const { status, text } = await post(body);
      latenciesMs.push(Number(process.hrtime.bigint() - startedNs) / 1e6);
      if (status === 200) records += JSON.parse(text).accepted;
      else {
        failures += 1;
        firstFailure ??= `${status} ${text.slice(0, 200)}`;
      }
    } catch (error) {
      failures += 1;
      firstFailure ??= String(error);
    }
  }
}

const startedNs = process.hrtime.bigint();
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const elapsedMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
agent.destroy();

latenciesMs.sort((a, b) => a - b);
const at = (fraction) => latenciesMs[Math.min(latenciesMs.length - 1, Math.ceil(fraction * latenciesMs.length) - 1)] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ requests: latenciesMs.length, records, failures, firstFailure, elapsedMs, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`,
);
