import { createRequire } from 'node:module';

// Both src/ (under vitest) and dist/ sit one level below package.json.
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

export const VERSION: string = packageJson.version;
