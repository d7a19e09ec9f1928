import type { Server } from 'node:http';
import { StartupError } from './usage-error.js';

/**
 * Starts listening and turns the usual failures (port in use, unknown host,
 * privileged port) into a StartupError that names what to change.
 */
export function listen(app: { listen(port: number, host: string): Server }, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} on ${host} is in use: choose another with --port`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartupError(`cannot listen on host ${host} (${error.code}): pass an address of this machine with --host`));
      else if (error.code === 'EACCES') reject(new StartupError(`not allowed to listen on port ${port}: choose a port above 1023 with --port`));
      else reject(error);
    });
  });
}
