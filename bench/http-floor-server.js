// The baseline server for the HTTP ingest benchmark: node:http alone, reading
// each body and running JSON.parse on each record, with no log and no metrics.
// Usage: node bench/http-floor-server.js PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);

function countRecords(text, isNdjson) {
  if (!isNdjson) {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value.length : 1;
  }
  let records = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    JSON.parse(line);
    records += 1;
  }
  return records;
}

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.setHeader('content-type', 'application/json');
    response.end('{"status":"ok"}');
    return;
  }

  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const isNdjson = (request.headers['content-type'] ?? '').includes('ndjson');
    const accepted = countRecords(Buffer.concat(chunks).toString('utf8'), isNdjson);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ accepted, rejected: 0, rejections: [] }));
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
