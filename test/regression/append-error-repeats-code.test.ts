import { expect, it } from 'vitest';
import { AppendError } from '../../src/audit/audit-log.js';

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

// The message read "audit log append failed: ENOSPC: ENOSPC: no space left on device".
it('append error names the code once', () => {
  expect(new AppendError(errno('ENOSPC', 'ENOSPC: no space left on device, write')).message).toBe(
    'audit log append failed: ENOSPC: no space left on device, write',
  );
  expect(new AppendError(errno('EIO', 'input/output error')).message).toBe('audit log append failed: EIO: input/output error');
});
